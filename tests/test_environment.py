"""One dependency list: environment.yml (conda) and requirements.txt (pip) must agree."""

import re

from conftest import ROOT


def pins(path, pattern):
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        match = re.match(pattern, line.strip())
        if match:
            found[match["name"].lower()] = match["version"]
    return found


def test_environment_yml_and_requirements_agree():
    pip = pins("requirements.txt", r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)$")
    conda = pins("environment.yml", r"^- (?P<name>[A-Za-z0-9_.-]+)=(?P<version>[^=\s]+)$")
    conda.pop("python", None)
    assert pip, "requirements.txt pins nothing"
    assert conda == pip


def test_conda_environment_brings_quarto():
    assert re.search(r"^\s*- quarto\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_lock_pins_every_direct_requirement_at_the_same_version():
    direct = pins("requirements.txt", r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)$")
    lock = pins("requirements.lock", r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)$")
    for name, version in direct.items():
        assert lock.get(name) == version, name
