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
    conda = pins("environment.yml", r"^- (?P<name>[A-Za-z0-9_.-]+)=(?P<version>[^=\s]+)(\s+#.*)?$")
    conda.pop("python", None)
    conda.pop("quarto", None)  # pip's route installs it apart (make env: quarto-cli), the next test
    assert pip, "requirements.txt pins nothing"
    assert conda == pip


def test_conda_ci_and_make_env_bring_the_same_quarto():
    """environment.yml's quarto, the workflows' and quarto-cli's (make env) are one version."""
    from helpers.base.quarto_install import QUARTO_VERSION

    conda = re.findall(r"^\s*- quarto=(\S+)", (ROOT / "environment.yml").read_text(), re.M)
    workflows = [
        re.findall(r"quarto-actions/setup@v2\s+with:\s+version: (\S+)", (ROOT / ".github/workflows" / name).read_text())
        for name in ("test.yml", "release.yml")
    ]
    assert conda == [QUARTO_VERSION] and workflows == [[QUARTO_VERSION], [QUARTO_VERSION]]


def test_lock_pins_every_direct_requirement_at_the_same_version():
    direct = pins("requirements.txt", r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)$")
    lock = pins("requirements.lock", r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)$")
    for name, version in direct.items():
        assert lock.get(name) == version, name
