#!/bin/sh
# Print the path of a Python 3.11, 3.12 or 3.13 interpreter: the one named in $1 (a command such
# as python3.12, a path, or a version such as 3.13), else the first of python3.11, python3.12,
# python3.13, python3 that runs. pyenv installs are found even when their shims are not active.
# Prints nothing (and exits 1) when none is found.
supported() { "$1" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 13)))' 2>/dev/null; }
try() {
    for cand in "$@"; do
        path=$(command -v "$cand" 2>/dev/null) || continue
        if supported "$path"; then echo "$path"; exit 0; fi
    done
}
from_pyenv() {  # $1 = 3.12 etc.
    root=${PYENV_ROOT:-$HOME/.pyenv}
    for dir in $(ls -d "$root"/versions/"$1".* 2>/dev/null | sort -t. -k3 -n -r); do
        if supported "$dir/bin/python"; then echo "$dir/bin/python"; exit 0; fi
    done
}
if [ -n "$1" ]; then
    try "$1"
    version=$(echo "$1" | sed -n 's/^[^0-9]*\(3\.1[1-3]\).*/\1/p')
    [ -n "$version" ] && from_pyenv "$version"
    exit 1
fi
try python3.11 python3.12 python3.13 python3
for v in 3.11 3.12 3.13; do from_pyenv "$v"; done
exit 1
