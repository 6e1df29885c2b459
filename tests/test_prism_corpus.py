"""Every operation of every corpus spec, called once through its generated client against Prism on 127.0.0.1.

Per spec (tests/corpus, see its README): one `convgen build --no-config` and one Prism serving the spec as
published (DigitalOcean's split files as they are); every operation is called once, sync, with the arguments
`prism_calls.Arguments` builds from the spec and a value for each credential the client takes, and must be
accepted (Prism answers 422 for a request that breaks the spec, 401 without the credentials it asks for) and
its 2xx response must decode. A sample of operations is called through the async client too. webhook-example
has no paths, so nothing to call.

What Prism cannot accept from any client is listed in PRISM_LIMITS with the reason, and checked to fail for that
reason; each spec has a negative control (BREAKING) that Prism must refuse and the harness must report.
Time: one build and one Prism per spec; about 2 minutes of CPU in all, most of it DigitalOcean's 659 calls.
"""

from __future__ import annotations

import importlib
import re
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_convgen
from convgen import ir
from convgen.build import build
from convgen.load import load
from convgen.select import Selection, select
from prism_calls import Arguments, Caller, call_every_operation, check_report
from test_prism import Prism

CORPUS = ROOT / "tests" / "corpus"
SPECS = ["petstore.yaml", "petstore-expanded.yaml", "uspto.yaml", "link-example.yaml", "tictactoe.yaml", "box.json",
         "digitalocean"]
ASYNC_SAMPLE = 10  # operations per spec also called through the async client
STARTUP_LIMIT = 300.0  # seconds for Prism to load the largest of them (DigitalOcean: 2,907 files)


@dataclass
class Served:
    name: str
    package: Any
    api: ir.Api
    doc: dict[str, Any]
    prism: Prism


def _spec_file(name: str, tmp: Path) -> Path:
    if name != "digitalocean":
        return CORPUS / name
    with tarfile.open(CORPUS / "digitalocean-specification.tar.gz") as archive:
        archive.extractall(tmp, filter="data")
    return tmp / "specification" / "DigitalOcean-public.v2.yaml"


def _api(spec: Path) -> tuple[ir.Api, dict[str, Any]]:
    loaded, _ = load(spec, (), ())
    assert loaded is not None
    section, _ = select(loaded.doc, Selection((), ()))
    assert section is not None
    api, _ = build(section)
    return api, loaded.doc


@pytest.fixture(scope="module", params=SPECS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    name: str = request.param
    tmp = tmp_path_factory.mktemp("prism-" + re.sub(r"\W", "-", name))
    spec = _spec_file(name, tmp)
    package = "prism_" + re.sub(r"\W", "_", name.split(".")[0])
    result = run_convgen("build", spec, "--no-config", "--package", package, "-o", tmp / "client", timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    api, doc = _api(spec)
    server = Prism(spec, tmp / "prism.log")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys.modules["test_prism"], "STARTUP_LIMIT", STARTUP_LIMIT)
        server.start()
    sys.path.insert(0, str(tmp / "client"))
    try:
        yield Served(name, importlib.import_module(package), api, doc, server)
    finally:
        sys.path.remove(str(tmp / "client"))
        server.stop()


# Requests of these operations cannot pass Prism, whatever a client sends; each is checked to fail as described:
# (a text in the failure or, where Prism's answer is the spec's own error example, in Prism's log)
PRISM_LIMITS: dict[str, dict[str, str]] = {
    "box.json": {
        # the spec documents `attributes` as a JSON part (OpenAPI's default for an object in multipart), which
        # Prism does not parse (it validates the part's text against `type: object`)
        "post_files_content": "Violation: request.body.attributes Request body property attributes must be object",
        "post_files_id_content": "Violation: request.body.attributes Request body property attributes must be object",
        # `grant_type` is required but not under `properties` (W311): Prism's form parser drops undescribed keys
        "post_oauth2_revoke": "Violation: request.body Request body must have required property 'grant_type'",
    },
    "digitalocean": {
        # `oneOf: [droplet_action, droplet_action_snapshot]` where the second is `allOf: [droplet_action, ...]`
        # with nothing required: every body fits both, so no body passes "exactly one"
        "dropletActions_post_byTag": "Violation: request.body Request body must match exactly one schema in oneOf",
    },
}


def test_prism_accepts_every_operation_and_its_response_decodes(served: Served) -> None:
    report = call_every_operation(served.package, served.api, served.doc, {"base_url": served.prism.base_url})
    assert report.calls == len(served.api.operations) > 0
    check_report(report, PRISM_LIMITS.get(served.name, {}), served.prism.log_path.read_text(errors="replace"))
    failed = {f.operation.split(" ", 1)[0] for f in report.failures}
    assert failed == set(PRISM_LIMITS.get(served.name, {})), report.summary()


def test_async_client_calls_a_sample_of_operations(served: Served) -> None:
    sample = {op.operation_id for op in served.api.operations[:: max(1, len(served.api.operations) // ASYNC_SAMPLE)]}
    report = call_every_operation(served.package, served.api, served.doc, {"base_url": served.prism.base_url},
                                  flavour="async", only=sample)
    assert report.calls == len(sample) > 0
    check_report(report, PRISM_LIMITS.get(served.name, {}), served.prism.log_path.read_text(errors="replace"))


def test_arguments_fit_their_schemas() -> None:
    """The harness itself: a sampled value fits its schema (else Prism's 422 would be the harness's fault)."""
    api, doc = _api(CORPUS / "petstore-expanded.yaml")
    builder = Arguments(api, doc)
    schema = {"$ref": "#/components/schemas/NewPet"}
    assert builder.sample(schema) == {"name": "x"} and builder.fits(builder.sample(schema), schema)
    assert not builder.fits({"tag": "x"}, schema)


def test_every_spec_has_a_negative_control() -> None:
    assert set(BREAKING) == set(SPECS)



# Negative controls, one per spec: the harness's arguments with one value that breaks the spec, which Prism must
# refuse and the harness must report (so that the test above can fail)
BREAKING: dict[str, tuple[str, dict[str, Any]]] = {
    "petstore.yaml": ("listPets", {"limit": 1000}),  # maximum: 100
    "petstore-expanded.yaml": ("addPet", {"name": 12345}),  # a string
    "uspto.yaml": ("perform-search", {"start": "first"}),  # an integer
    "link-example.yaml": ("getPullRequestsByRepository", {"state": "reopened"}),  # open, merged, declined
    "tictactoe.yaml": ("get-square", {"row": 7}),  # 1 to 3
    "box.json": ("post_collaborations", {"role": "owner"}),  # not one of the roles one can give
    "digitalocean": ("droplets_list", {"per_page": 1000}),  # maximum: 200
}


def test_prism_refuses_a_request_that_breaks_the_spec(served: Served) -> None:
    operation, breaking = BREAKING[served.name]
    caller = Caller(served.package, served.api, served.doc)
    op = next(op for op in served.api.operations if op.operation_id == operation)
    with served.package.Client(**caller.settings(base_url=served.prism.base_url)) as client:
        caller.sync(client, op, **breaking)
    assert [f.operation.split(" ", 1)[0] for f in caller.report.failures] == [operation], caller.report.summary()
    assert caller.report.failures[0].what.startswith("HTTP 4"), caller.report.summary()
