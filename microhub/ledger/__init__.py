"""The money ledger: double entry, append-only, hash-chained per hub; the one place money is written."""
