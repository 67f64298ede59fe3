"""The supervisord config generated from the Procfile, read back by supervisord's own parser."""
import pytest
from supervisor.datatypes import RestartUnconditionally
from supervisor.options import ServerOptions

from services.common.config import REPO_ROOT
from services.common.supervision import read_procfile, supervisord_config, write_config


def _parsed(path):
    options = ServerOptions()
    options.realize(args=["-c", str(path)])
    return {group.name: group.process_configs[0] for group in options.process_group_configs}


def test_every_procfile_process_is_restarted_when_it_dies(tmp_path):
    procfile = read_procfile(REPO_ROOT / "Procfile")
    assert set(procfile) == {"crm", "itinerary", "ticketing", "contracts", "feedback", "gateway"}

    programs = _parsed(write_config(REPO_ROOT / "Procfile", tmp_path))

    assert set(programs) == set(procfile)
    for name, program in programs.items():
        assert program.autorestart is RestartUnconditionally
        assert program.killasgroup and program.stopasgroup
        # exec keeps the real process as supervisord's child; the shell expands ${VAR:-default}
        assert program.command == "/bin/sh -c 'exec " + procfile[name] + "'"
        assert program.environment == {"ITINERA_PROCESS": name}
        assert program.stdout_logfile == "/dev/stdout"  # the terminal, as honcho did


def test_log_files_instead_of_the_terminal(tmp_path):
    (tmp_path / "Procfile").write_text("# a comment\n\nweb: gunicorn --bind ${HOST:-127.0.0.1}:80 app:app\n")
    config = tmp_path / "supervisord.conf"
    config.write_text(supervisord_config(read_procfile(tmp_path / "Procfile"), tmp_path, log_dir=tmp_path))

    program = _parsed(config)["web"]

    assert program.stdout_logfile == str(tmp_path / "web.log")
    assert program.command == "/bin/sh -c 'exec gunicorn --bind ${HOST:-127.0.0.1}:80 app:app'"


@pytest.mark.parametrize("line, message", [
    ("web gunicorn app:app", "expected 'name: command'"),
    ("web: a ; b", "without a space before it"),
    ("web: a #b", "without a space before it"),
])
def test_lines_supervisord_would_misread_are_refused(tmp_path, line, message):
    (tmp_path / "Procfile").write_text(line + "\n")
    with pytest.raises(ValueError, match=message):
        read_procfile(tmp_path / "Procfile")


def test_a_percent_sign_reaches_the_command(tmp_path):
    (tmp_path / "Procfile").write_text("web: date +%s\n")
    config = tmp_path / "supervisord.conf"
    config.write_text(supervisord_config(read_procfile(tmp_path / "Procfile"), tmp_path))
    assert _parsed(config)["web"].command == "/bin/sh -c 'exec date +%s'"
