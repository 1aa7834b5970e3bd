"""The shared vocabulary of quantity names, and how to split a name into its stem and index."""

from __future__ import annotations

import re

# Names of the project's vocabulary; t counts from 1 (`h[0]`/`dL/dh[0]` is the initial state).
VOCABULARY = ("x[t]", "z[t]", "h[t]", "o[t]", "y_hat[t]", "loss", "dL/do[t]", "dL/dh[t]", "dL/dz[t]",
              "dL/dW_xh[t]", "dL/dW_hh[t]", "dL/dx[t]", "dL/dW_xh", "dL/dW_hh", "dL/db_h",
              "dL/dW_hy", "dL/db_y")
# Further names the trace records, documented in the README.
EXTRA = ("y[t]", "loss[t]", "dL/dy_hat[t]", "dy_hat/do[t]", "dh/dz[t]", "dL/dW_hy[t]",
         "dL/de[word]")

_INDEXED = re.compile(r"^(?P<stem>[^\[\]]+)\[(?P<index>[^\[\]]+)\]$")


def split(name: str) -> tuple[str, str | None]:
    """`h[2]` -> (`h`, `2`); `loss` -> (`loss`, None)."""
    m = _INDEXED.match(name)
    return (m["stem"], m["index"]) if m else (name, None)


def is_reported(name: str) -> bool:
    """Whether a recorded name is a quantity for JSON and answers (not a bare intermediate product)."""
    return " " not in name and not name.endswith("_new") and name != "learning_rate"
