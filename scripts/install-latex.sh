#!/usr/bin/env bash
# Install the LaTeX that the worksheet tests compile with (pdflatex from TeX Live), unless present.
# Debian/Ubuntu via apt-get (as root, or with sudo); elsewhere, say what to install.
set -euo pipefail
if command -v pdflatex >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    texlive-latex-base texlive-latex-recommended poppler-utils >/dev/null
  exit 0
fi
echo "pdflatex is missing: install TeX Live (texlive-latex-base and texlive-latex-recommended) and poppler-utils" >&2
exit 1
