import multiprocessing
import os
import stat

import pytest

from hub.config import ConfigError, ensure_storage_key, load_config


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="TSUNAGU_SECRET_KEY"):
        load_config(environ={"TSUNAGU_ENV": "production", "TSUNAGU_INSTANCE_PATH": str(tmp_path)})


def test_development_generates_a_secret_key_once_and_keeps_it_private(tmp_path):
    env = {"TSUNAGU_INSTANCE_PATH": str(tmp_path)}
    first = load_config(environ=env)
    second = load_config(environ=env)
    assert len(first.secret_key) == 64
    assert first.secret_key == second.secret_key
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_environment_then_instance_file(tmp_path):
    (tmp_path / "tsunagu.toml").write_text('session_idle_minutes = 15\nsecret_key = "from-file"\n')
    cfg = load_config(
        environ={
            "TSUNAGU_INSTANCE_PATH": str(tmp_path),
            "TSUNAGU_PAGE_SIZE": "50",
            "TSUNAGU_SESSION_IDLE_MINUTES": "45",
            "TSUNAGU_DATABASE_URL": "postgresql+psycopg://db/hub",
        }
    )
    assert cfg.page_size == 50
    assert cfg.session_idle_minutes == 15
    assert cfg.secret_key == "from-file"
    assert cfg.database_url == "postgresql+psycopg://db/hub"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    cfg = load_config(environ={"TSUNAGU_INSTANCE_PATH": str(tmp_path)})
    assert cfg.database_url == f"sqlite:///{tmp_path}/tsunagu.sqlite3"


def test_unknown_setting_in_the_instance_file_is_an_error(tmp_path):
    (tmp_path / "tsunagu.toml").write_text("sesion_idle_minutes = 15\n")
    with pytest.raises(ConfigError, match="sesion_idle_minutes"):
        load_config(environ={"TSUNAGU_INSTANCE_PATH": str(tmp_path)})


def _start_worker(instance: str, barrier, results) -> None:
    barrier.wait()
    try:
        cfg = ensure_storage_key(load_config(environ={"TSUNAGU_INSTANCE_PATH": instance}))
        results.put((cfg.secret_key, cfg.storage_key))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(repr(exc))


def test_workers_starting_together_share_one_generated_key_and_none_fails(tmp_path):
    """gunicorn -w 8 in development: eight processes find no key file at the same moment."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(8), context.Queue()
    workers = [
        context.Process(target=_start_worker, args=(str(tmp_path), barrier, results))
        for _ in range(8)
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert all(isinstance(a, tuple) for a in answers), answers
    assert len(set(answers)) == 1
    secret_key, storage_key = answers[0]
    assert (tmp_path / "secret_key").read_text().strip() == secret_key and len(secret_key) == 64
    assert (tmp_path / "storage_key").read_text().strip() == storage_key
    assert len(storage_key) == 64
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
