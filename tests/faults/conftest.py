"""Fault tier fixtures: one RabbitMQ node and one supervised suite for the whole tier, stopped
when its last test is done (package scope), so the tiers after it do not share the CPU with them.

The figures each test measures are collected, written to faults-figures.json in the tier's
temporary directory (and to $ITINERA_FAULTS_FIGURES when set) and printed at the end of the run.
"""
import json
import os

import pytest

from .harness import Api, RabbitNode, Suite, rabbitmq_bin, setup_inventory

FIGURES = pytest.StashKey[dict]()


@pytest.fixture(scope="package")
def fault_base(tmp_path_factory):
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="package")
def broker(fault_base):
    bin_dir = rabbitmq_bin()
    if bin_dir is None:
        pytest.skip("rabbitmq-server is not installed: the fault tier starts a RabbitMQ node of its own")
    node = RabbitNode(fault_base / "rabbitmq", bin_dir)
    try:
        node.start()
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="package")
def suite(broker, fault_base):
    processes = Suite(fault_base / "suite", broker)
    try:
        processes.start()
        yield processes
    finally:
        processes.stop()


@pytest.fixture(scope="package")
def api(suite):
    return Api(suite.url)


@pytest.fixture(scope="package")
def inventory(api):
    return setup_inventory(api)


@pytest.fixture
def healthy(suite):
    """Each test starts from a suite that answers, and leaves one."""
    suite.wait_ready(90)
    yield suite
    suite.wait_ready(90)


@pytest.fixture(scope="package")
def figures(request, fault_base):
    collected = request.config.stash.setdefault(FIGURES, {})
    yield collected
    text = json.dumps(collected, indent=2, sort_keys=True)
    (fault_base / "faults-figures.json").write_text(text)
    if os.environ.get("ITINERA_FAULTS_FIGURES"):
        with open(os.environ["ITINERA_FAULTS_FIGURES"], "w") as out:
            out.write(text)


def pytest_terminal_summary(terminalreporter, config):
    collected = config.stash.get(FIGURES, None)
    if collected:
        terminalreporter.section("fault tier figures")
        for name, values in collected.items():
            terminalreporter.write_line(f"{name}: {json.dumps(values, sort_keys=True)}")
