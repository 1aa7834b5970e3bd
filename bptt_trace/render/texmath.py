"""Translation of the project's notation to TeX math, and escaping of text for TeX and Markdown.

Every character is handled explicitly: known symbols become commands, safe ASCII passes, and
anything else is escaped, so a scenario's words can never inject a TeX command.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bptt_trace.render.safe_text import visible

SYMBOLS = {"×": r"\times ", "·": r"\cdot ", "⊙": r"\odot ", "δ": r"\delta ", "∂": r"\partial ", "ᵀ": r"^{\top}",
           "²": "^{2}", "−": "-", "≈": r"\approx ", "Σ": r"\sum ", "η": r"\eta ", "←": r"\leftarrow ",
           "…": r"\dots ", "‖": r"\| ", "√": r"\surd ", "∇": r"\nabla ", "±": r"\pm ", "′": "'", "½": r"\tfrac{1}{2}", "→": r"\to ", "ŷ": r"\hat{y}", "{": r"\{", "}": r"\}",
           "%": r"\%", "#": r"\#", "$": r"\$", "&": r"\&", "|": r"\vert ", "\\": r"\backslash ", "~": r"\sim ",
           "<": "<", ">": ">"}
FUNCTIONS = {"tanh": r"\tanh", "exp": r"\exp", "ln": r"\ln", "log": r"\log", "diag": r"\operatorname{diag}",
             "sigmoid": r"\operatorname{sigmoid}", "softmax": r"\operatorname{softmax}"}
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-=()[],./:;!'*?@\"")
_TOKEN = re.compile(r"[A-Za-z]\u0303|[A-Za-z]+|_\([^()]*\)|_[A-Za-z0-9]+(?:[,_][A-Za-z0-9]+)*|\^[A-Za-z0-9]+|.", re.S)
TEXT_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "→": r"$\to$", "…": r"\dots{}",
                "−": "--", "≈": r"$\approx$", "η": r"$\eta$", "Σ": r"$\Sigma$", "—": "---", "–": "--",
                "←": r"$\leftarrow$", "∂": r"$\partial$", "·": r"$\cdot$", "×": r"$\times$", "δ": r"$\delta$",
                "ŷ": r"$\hat{y}$", "‖": r"$\|$", "√": r"$\surd$", "∇": r"$\nabla$", "⊙": r"$\odot$", "²": r"$^2$",
                "ᵀ": r"$^\top$", "′": "'", "[": "{[}", "]": "{]}", "\u00a0": "~", "\u00ad": r"\-"}

SPACES = frozenset("\t\n\v\f\r\x85\u2028\u2029")  # shown as a space in TeX and Markdown
# Latin-1 and Latin Extended-A, as T1-encoded fonts typeset them with inputenc's utf8.
LATIN = frozenset(chr(c) for c in range(0xA1, 0x180)) - frozenset("\u00ad\u0126\u0127\u0138\u013f\u0140\u0149"
                                                                  "\u0166\u0167\u017f")


@lru_cache(maxsize=1 << 16)  # worksheets repeat the same labels and operators many times
def math(s: str) -> str:
    """The project's notation (`δz_6 = δh_6 ⊙ f′(z_6)`) as TeX math.

    Words of two or more letters (`if`, `new`, `loss`) are set upright, and the spaces next to
    them are kept, since TeX drops spaces in math.
    """
    out: list[str] = []
    after_word = False
    scripts = ""  # the scripts (_ or ^) the current base already has: a second one gets an empty base
    for tok in _TOKEN.findall(s):
        kind = "^" if tok in ("ᵀ", "²") else tok[0] if tok[0] in "_^" and len(tok) > 1 else ""
        if kind and kind in scripts:
            out.append("{}")
            scripts = ""
        scripts = scripts + kind if kind or tok[1:] == "\u0303" else ""
        if tok == " " and after_word:
            out.append(r"\ ")
            continue
        after_word = tok.isascii() and tok.isalpha() and len(tok) > 1 and tok not in FUNCTIONS
        if after_word and out and out[-1] == " ":
            out[-1] = r"\ "
        if tok[1:] == "\u0303":  # a letter with a tilde: c̃, h̃
            out.append(rf"\tilde{{{tok[0]}}}")
        elif tok[0] == "_" and len(tok) > 1:
            inner = tok[2:-1] if tok[1] == "(" else tok[1:].replace("_", ",")  # never a double subscript
            out.append("_{" + math(inner) + "}")
        elif tok[0] == "^" and len(tok) > 1:
            out.append("^{" + tok[1:] + "}")
        elif tok.isalpha() and tok.isascii():
            out.append(FUNCTIONS.get(tok) or (rf"\text{{{tok}}}" if len(tok) > 1 else tok))
        elif tok in SYMBOLS:
            out.append(SYMBOLS[tok])
        elif tok in _SAFE:
            out.append(tok)
        elif tok == "_":
            out.append(r"\_")
        elif tok == "^":
            out.append(r"\hat{}")
        else:
            out.append(r"\text{" + text(tok) + "}")
    return "".join(out)


def text(s: str) -> str:
    """Plain text escaped for TeX; characters TeX cannot typeset are shown by their code point.

    Line breaks and tabs become spaces (a blank line would end TeX's paragraph), and `[`/`]` are
    braced so that a text starting with `[` is never read as the optional argument of `\\\\`.
    """
    out = []
    for ch in s:
        if ch in TEXT_ESCAPES:
            out.append(TEXT_ESCAPES[ch])
        elif ch in SPACES:
            out.append(" ")
        elif " " <= ch <= "~" or ch in LATIN:
            out.append(ch)
        else:
            out.append(f"{{[}}U+{ord(ch):04X}{{]}}")
    return "".join(out)


MD_SPECIAL = set("\\`*_{}[]<>#|$~")


def markdown_text(s: str) -> str:
    """Plain text escaped for Markdown (tables included: `|` cannot break a row, nor a line break a heading);
    control characters are shown by their escapes (`\\x1b`)."""
    s = visible("".join(" " if ch in SPACES else ch for ch in s))
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in s)
