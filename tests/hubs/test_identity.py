"""A hub's identity: an accent colour refused when white text on it fails WCAG AA, and a cover image told by its
content; both show in the hub page's header without an inline style (the CSP forbids them)."""
import io
import struct
import zlib

import pytest

from microhub.extensions import db
from microhub.hubs import identity
from microhub.hubs.models import Hub

from ..factories import member_of, organizer_of

SETTINGS = "/h/owls/manage/settings"
LOOK = "/h/owls/manage/identity"


def png(width: int = 4, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x1f\x5f\x4a" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def organizer(client):
    hub, user = organizer_of(slug="owls", name="Night Owls")
    client.login(user.email)
    return hub


def _save(client, accent="", cover=None, **extra):
    data = {"accent_color": accent, **extra}
    if cover is not None:
        data["cover"] = (io.BytesIO(cover[0]), cover[1])
    return client.submit(LOOK, data, form_url=SETTINGS, content_type="multipart/form-data")


@pytest.mark.parametrize("colour, ratio", [("#ffffff", 1.0), ("#000000", 21.0), ("#1f5f4a", 7.52), ("#767676", 4.54)])
def test_contrast_follows_wcag_relative_luminance(colour, ratio):
    assert identity.contrast(colour, "#ffffff") == pytest.approx(ratio, abs=0.01)


def test_a_dark_enough_accent_is_saved_and_shown_through_a_stylesheet(client, organizer):
    response = _save(client, " #1F5F4A ")
    assert response.status_code == 302
    assert db.session.get(Hub, organizer.id).accent_color == "#1f5f4a"
    page = client.get("/h/owls").get_data(as_text=True)
    assert 'href="/h/owls/look.css?v=1f5f4a"' in page and "style=" not in page.split("<main")[1].split("</header>")[0]
    css = client.get("/h/owls/look.css?v=1f5f4a")
    assert css.mimetype == "text/css" and "--hub-accent: #1f5f4a;" in css.get_data(as_text=True)


@pytest.mark.parametrize("colour", ["#f2a900", "#777777", "#ffff00"])
def test_a_light_accent_is_refused_with_the_contrast_it_has(client, organizer, colour):
    response = _save(client, colour)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "too light" in text and "4.5:1 is needed" in text
    assert db.session.get(Hub, organizer.id).accent_color is None


@pytest.mark.parametrize("bad", ["green", "#12345", "#12345g", "rgb(0,0,0)", "#1f5f4a\x00", "#" + "1" * 19])
def test_a_colour_that_is_not_hex_is_a_clear_message_not_a_500(client, organizer, bad):
    response = _save(client, bad)
    assert response.status_code == 400
    assert db.session.get(Hub, organizer.id).accent_color is None


def test_a_cover_image_is_stored_under_a_random_name_shown_as_decoration_and_removable(client, organizer):
    assert _save(client, "", (png(), "../../etc/passwd.png")).status_code == 302
    name = db.session.get(Hub, organizer.id).cover_image
    assert name and name.endswith(".png") and "passwd" not in name
    page = client.get("/h/owls").get_data(as_text=True)
    assert f'<img class="hub-cover" src="/h/owls/cover/{name}" alt="">' in page
    image = client.get(f"/h/owls/cover/{name}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == png()
    assert client.get("/h/owls/cover/other.png").status_code == 404
    path = identity.path_of(name)
    assert _save(client, "", remove_cover="y").status_code == 302
    assert db.session.get(Hub, organizer.id).cover_image is None and not path.exists()


@pytest.mark.parametrize("content, message", [(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG or JPEG"),
                                              (b"GIF89a" + b"\x00" * 20, "PNG or JPEG"),
                                              (png()[:20], "PNG or JPEG"),
                                              (b"\xff\xd8\xff\xe0" + b"\x00" * (2 * 1024 * 1024), "2 MB at most")])
def test_a_cover_that_is_not_a_small_png_or_jpeg_is_refused(client, organizer, content, message):
    response = _save(client, "#1f5f4a", (content, "cover.png"))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    hub = db.session.get(Hub, organizer.id)
    assert hub.cover_image is None and hub.accent_color is None  # nothing saved when one part is refused


def test_only_organizers_change_the_look(client):
    hub, _ = organizer_of(slug="owls")
    member = member_of(hub)
    client.login(member.email)
    assert client.submit(LOOK, {"accent_color": "#000000"}, form_url="/account/profile").status_code == 403
    assert db.session.get(Hub, hub.id).accent_color is None
