"""The pip lock and the conda environment.yml must carry the same pins."""

from __future__ import annotations

import re

from dxminutes import config

LOCK = config.PROJECT_DIR / "requirements" / "lock.txt"
ENV_YML = config.PROJECT_DIR / "environment.yml"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock_pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements/lock.txt: '{line}' is not an exact pin (name==version)"
        pins[_canonical(name)] = version
    return pins


def _environment_pins() -> dict[str, str]:
    """Pins of environment.yml: `name==version` items (the pip section) and conda's `pip=version`."""
    pins = {}
    for line in ENV_YML.read_text(encoding="utf-8").splitlines():
        item = re.match(r"^\s*-\s*([A-Za-z0-9_.\-]+)(==|=)(\S+)\s*$", line.split("#", 1)[0])
        if not item:
            continue
        name, op, version = item.groups()
        if op == "==" or _canonical(name) == "pip":
            pins[_canonical(name)] = version
    return pins


def test_every_lock_line_is_an_exact_pin():
    pins = _lock_pins()
    for required in ("pandas", "janome", "scikit-learn", "matplotlib", "japanize-matplotlib"):
        assert required in pins, f"{required} is not pinned in requirements/lock.txt"


def test_environment_yml_carries_the_same_pins_as_the_lock():
    lock, env = _lock_pins(), _environment_pins()
    missing = sorted(set(lock) - set(env))
    extra = sorted(set(env) - set(lock))
    differ = sorted(n for n in set(lock) & set(env) if lock[n] != env[n])
    assert not missing, f"pinned in lock.txt but not in environment.yml: {missing}"
    assert not extra, f"pinned in environment.yml but not in lock.txt: {extra}"
    assert not differ, "versions differ: " + ", ".join(f"{n} {lock[n]} vs {env[n]}" for n in differ)


def test_environment_yml_uses_python_311():
    assert re.search(r"^\s*-\s*python=3\.11\s*$", ENV_YML.read_text(encoding="utf-8"), re.M)
