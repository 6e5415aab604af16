-- POST distinct, pre-signed Stripe events: each line of the file named after `--` is "signature<TAB>body".
-- The second argument is wrk's thread count: every thread takes every n-th line from its own offset, so no event
-- is sent twice.
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter)
end

function init(args)
  lines = {}
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  step = tonumber(args[2])
  index = offset
end

function request()
  local line = lines[((index - 1) % #lines) + 1]
  index = index + step
  local tab = line:find("\t", 1, true)
  return wrk.format("POST", nil, {["Stripe-Signature"] = line:sub(1, tab - 1),
                                  ["Content-Type"] = "application/json"}, line:sub(tab + 1))
end
