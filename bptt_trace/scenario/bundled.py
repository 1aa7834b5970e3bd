"""The scenarios shipped with the package (`bptt_trace/scenarios/*.yaml`): listing them, finding one by
name, and telling a path from a bundled name."""

from __future__ import annotations

from pathlib import Path

from bptt_trace.errors import InputError

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def bundled_names() -> list[str]:
    """The bundled scenarios' names (their file names without `.yaml`), sorted."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def bundled_path(name: str) -> Path | None:
    """The bundled file of `name` (`sentiment` or `sentiment.yaml`), or None if there is none."""
    stem = name[:-5] if name.endswith(".yaml") else name
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        return None
    path = BUNDLED_DIR / f"{stem}.yaml"
    return path if path.is_file() else None


def resolve(path_or_name: str | Path) -> Path:
    """A file that exists wins; otherwise a bare name of a bundled scenario; otherwise InputError."""
    given = str(path_or_name)
    if Path(given).exists():
        return Path(given)
    found = bundled_path(given)
    if found is not None:
        return found
    if "/" in given or "\\" in given or given.endswith((".yaml", ".yml")):
        raise InputError(given, "no such file")
    import difflib
    close = difflib.get_close_matches(given, bundled_names(), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise InputError(given, f"no such file, and not a bundled scenario ({hint}bundled: "
                            f"{', '.join(bundled_names())}; `bptt-trace scenarios` lists them)")


def descriptions() -> list[tuple[str, str]]:
    """(name, first sentence of its description) of every bundled scenario."""
    from bptt_trace.scenario.yaml_tree import Map, Scalar, read_yaml
    out = []
    for name in bundled_names():
        root = read_yaml(BUNDLED_DIR / f"{name}.yaml")
        node = root.items.get("description") if isinstance(root, Map) else None
        text = " ".join(node.text.split()) if isinstance(node, Scalar) else ""
        text = text.split(". ", 1)[0].rstrip(".") + "."
        out.append((name, text))
    return out


def copy_bundled(name: str, directory: str | Path = ".", force: bool = False) -> Path:
    """Copy a bundled scenario into `directory` as NAME.yaml (atomically; never over a file without force)."""
    from bptt_trace.output import OutputError, write_atomic
    source = bundled_path(name)
    if source is None:
        raise InputError(name, f"not a bundled scenario (bundled: {', '.join(bundled_names())})")
    target = Path(directory)
    if not target.is_dir():
        raise OutputError(f"{target}: no such directory")
    return write_atomic(target / source.name, source.read_bytes(), force)
