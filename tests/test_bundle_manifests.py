"""The bundle's namespaces, NetworkPolicies, RBAC and mesh objects (no database): for every panel organisation and
a few crafted answers, each generator's objects have the shape the checklist asks for."""

from __future__ import annotations

import re
from typing import Any

import pytest

from advisor.bundle import mesh, namespaces, network, rbac
from advisor.bundle.build import build_bundle, render_yaml
from advisor.bundle.model import ANNOTATION, MESH_NAMESPACE, BundleContext, Manifest
from advisor.bundle.namespaces import plan
from tests.bundle_cases import CASES, CLOUD_NAMES, IDS, Case, context_of

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
PSA = "pod-security.kubernetes.io/"


def core(context: BundleContext) -> list[Manifest]:
    return [m for module in (namespaces, network, rbac, mesh) for m in module.generate(context)]


def objects(manifests: list[Manifest], kind: str | None = None) -> list[dict[str, Any]]:
    return [d for m in manifests for d in m.documents if kind is None or d["kind"] == kind]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.fixture(params=CASES, ids=IDS)
def context(request: pytest.FixtureRequest) -> BundleContext:
    found: Case = request.param
    return context_of(found)


def test_every_namespace_carries_the_three_pod_security_modes(context: BundleContext) -> None:
    found = objects(core(context), "Namespace")
    assert {n["metadata"]["name"] for n in found} >= {p.name for p in plan(context)}
    for namespace in found:
        labels = namespace["metadata"]["labels"]
        for mode in ("enforce", "warn", "audit"):
            assert labels[PSA + mode] in ("privileged", "baseline", "restricted"), (namespace, mode)
            assert re.fullmatch(r"latest|v1\.\d+", labels[f"{PSA}{mode}-version"])
        if namespace["metadata"]["name"] != MESH_NAMESPACE:
            # warn and audit always report what restricted would reject, whatever enforce says
            assert labels[PSA + "warn"] == labels[PSA + "audit"] == "restricted"


def test_privileged_only_for_the_mesh_namespace_and_only_with_a_mesh(context: BundleContext) -> None:
    found = objects(core(context), "Namespace")
    privileged = [n["metadata"]["name"] for n in found if "privileged" in n["metadata"]["labels"].values()]
    assert privileged == ([MESH_NAMESPACE] if context.mesh else [])
    if context.mesh:
        labels = next(n for n in found if n["metadata"]["name"] == MESH_NAMESPACE)["metadata"]["labels"]
        assert labels[PSA + "enforce"] == "privileged"


def test_restricted_is_enforced_unless_the_checklist_sets_it_aside() -> None:
    def levels(case_id: str) -> set[str]:
        workload = list(objects(core(context_of(case(case_id))), "Namespace"))
        return {n["metadata"]["labels"][PSA + "enforce"] for n in workload if n["metadata"]["name"] != MESH_NAMESPACE}

    assert levels("startup") == {"restricted"}
    assert levels("restricted-set-aside") == {"baseline"}


def test_dns_is_allowed_to_kube_dns_in_kube_system_over_udp_and_tcp(context: BundleContext) -> None:
    files = network.generate(context)
    assert len(files) == len(plan(context))
    for manifest in files:
        dns = next(d for d in manifest.documents if d["metadata"]["name"] == "allow-dns")
        assert dns["spec"]["policyTypes"] == ["Egress"]
        (rule,) = dns["spec"]["egress"]
        # one element holding both selectors: kube-dns pods AND in kube-system (two elements would mean OR)
        assert rule["to"] == [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ]
        assert sorted((p["protocol"], p["port"]) for p in rule["ports"]) == [("TCP", 53), ("UDP", 53)]


def test_default_deny_covers_ingress_and_egress_in_every_workload_namespace(context: BundleContext) -> None:
    policies = objects(network.generate(context), "NetworkPolicy")
    for p in plan(context):
        deny = [
            d
            for d in policies
            if d["metadata"]["namespace"] == p.name
            and d["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        ]
        assert len(deny) == 1, p.name


def test_a_limit_range_with_defaults_beside_each_resource_quota(context: BundleContext) -> None:
    files = namespaces.generate(context)
    quotas = 0
    for manifest in files:
        for quota in (d for d in manifest.documents if d["kind"] == "ResourceQuota"):
            quotas += 1
            ns = quota["metadata"]["namespace"]
            (limits,) = [
                d for d in manifest.documents if d["kind"] == "LimitRange" and d["metadata"]["namespace"] == ns
            ]
            (container,) = [lim for lim in limits["spec"]["limits"] if lim["type"] == "Container"]
            # the quota counts memory limits and cpu and memory requests: the defaults must supply each
            assert "memory" in container["default"]
            assert {"cpu", "memory"} <= set(container["defaultRequest"])
            assert "limits.memory" in quota["spec"]["hard"]
            assert "requests.cpu" in quota["spec"]["hard"]
    assert quotas == len(plan(context))


def test_team_roles_name_every_verb_and_resource_and_grant_no_escalation(context: BundleContext) -> None:
    files = rbac.generate(context)
    assert not objects(files, "ClusterRole")
    assert not objects(files, "ClusterRoleBinding")
    for manifest in files:
        roles = {r["metadata"]["name"]: r for r in manifest.documents if r["kind"] == "Role"}
        assert roles
        for role in roles.values():
            for rule in role["rules"]:
                for key in ("apiGroups", "resources", "verbs"):
                    assert rule[key], rule
                    assert "*" not in rule[key], rule
                assert not {"bind", "escalate", "impersonate"} & set(rule["verbs"])
                assert not {"secrets", "pods/exec", "pods/attach", "pods/portforward"} & set(rule["resources"])
        for binding in (d for d in manifest.documents if d["kind"] == "RoleBinding"):
            assert binding["roleRef"]["kind"] == "Role"
            assert binding["roleRef"]["name"] in roles
            assert binding["metadata"]["namespace"] == roles[binding["roleRef"]["name"]]["metadata"]["namespace"]
            assert [s["kind"] for s in binding["subjects"]] == ["Group"]
        (account,) = [d for d in manifest.documents if d["kind"] == "ServiceAccount"]
        assert account["metadata"]["name"] == "default"
        assert account["automountServiceAccountToken"] is False


def test_people_change_workloads_in_development_and_only_read_elsewhere_when_a_pipeline_deploys() -> None:
    context = context_of(case("fintech-pci"))  # ci_push
    assert context.answers["delivery"] == "ci_push"
    for manifest in rbac.generate(context):
        (role, *_) = [d for d in manifest.documents if d["kind"] == "Role"]
        verbs = {v for rule in role["rules"] for v in rule["verbs"]}
        environment = manifest.path.split("/")[2].rsplit("-", 1)[1]
        assert ("create" in verbs) == (environment == "dev"), manifest.path
    manual = context_of(case("in-cluster-agents-on-prem"))
    assert manual.answers["delivery"] == "manual"
    for manifest in rbac.generate(manual):
        assert "create" in {
            v for d in manifest.documents if d["kind"] == "Role" for r in d["rules"] for v in r["verbs"]
        }


def test_mesh_objects_exactly_when_a_mesh_is_recommended(context: BundleContext) -> None:
    manifests = core(context)
    istio = [d for d in objects(manifests) if "istio.io" in d["apiVersion"]]
    if not context.mesh:
        assert istio == []
        assert mesh.generate(context) == []
        assert not any("istio" in str(n["metadata"].get("labels")) for n in objects(manifests, "Namespace"))
        return
    assert {d["apiVersion"] for d in istio} == {"security.istio.io/v1"}
    (peer,) = [d for d in istio if d["kind"] == "PeerAuthentication"]
    assert (peer["metadata"]["name"], peer["metadata"]["namespace"]) == ("default", MESH_NAMESPACE)
    assert peer["spec"] == {"mtls": {"mode": "STRICT"}}
    denials = {d["metadata"]["namespace"]: d for d in istio if d["kind"] == "AuthorizationPolicy"}
    assert set(denials) == {p.name for p in plan(context)}
    assert all(d["spec"] == {} for d in denials.values())
    hbone = [d for d in objects(manifests, "NetworkPolicy") if d["metadata"]["name"] == "allow-hbone"]
    assert len(hbone) == len(plan(context))
    assert all(r["ports"] == [{"protocol": "TCP", "port": 15008}] for d in hbone for r in d["spec"]["ingress"])
    istiod = [d for d in objects(manifests, "NetworkPolicy") if d["metadata"]["name"] == "allow-istiod"]
    assert len(istiod) == (len(plan(context)) if context.mesh == "sidecar" else 0)
    assert all(d["spec"]["egress"][0]["ports"] == [{"protocol": "TCP", "port": 15012}] for d in istiod)


def test_allowances_follow_the_recommendation(context: BundleContext) -> None:
    names = {d["metadata"]["name"] for d in objects(network.generate(context), "NetworkPolicy")}
    assert ("allow-from-ingress" in names) == (context.answers["exposure"] in ("public_web", "public_api"))
    assert ("allow-to-collectors" in names) == bool(context.recommended("tool_integration"))
    assert ("allow-same-namespace" in names) == (context.recommended("namespaces") == "per_app_env")
    assert "allow-monitoring" in names
    for manifest in network.generate(context):
        text = render_yaml(manifest)
        # outside endpoints are never invented: a commented template only
        blocks = [d for d in manifest.documents if "ipBlock" in str(d["spec"])]
        assert [d["metadata"]["name"] for d in blocks] == (
            ["allow-kubelet-probes"] if context.mesh == "sidecarless" else []
        )
        if context.recommended("tool_integration"):
            assert "#         cidr: <the tool's endpoint range>" in text


def test_nothing_cloud_only_on_premises(context: BundleContext) -> None:
    text = "\n".join(render_yaml(m) for m in core(context))
    if context.answers["infrastructure"] == "on_prem":
        assert not CLOUD_NAMES.search(text), CLOUD_NAMES.search(text)


def test_every_object_names_items_the_checklist_holds(context: BundleContext) -> None:
    for manifest in core(context):
        assert manifest.items, manifest.path
        assert set(manifest.items) <= set(context.checklist), manifest.path
        assert list(manifest.items) == [i for i in context.checklist if i in manifest.items]  # checklist order
        named: set[str] = set()
        for document in manifest.documents:
            value = document["metadata"]["annotations"][ANNOTATION]
            ids = value.split(",")
            assert value, manifest.path
            assert set(ids) <= set(context.checklist), (manifest.path, value)
            assert ids == [i for i in context.checklist if i in ids]
            named |= set(ids)
        assert named == set(manifest.items), manifest.path


def test_names_are_dns_labels_and_files_sit_under_their_namespace(context: BundleContext) -> None:
    for manifest in core(context):
        for document in manifest.documents:
            metadata = document["metadata"]
            assert DNS_LABEL.fullmatch(metadata["name"]), metadata
            if "namespace" in metadata:
                assert DNS_LABEL.fullmatch(metadata["namespace"])
                assert manifest.path.startswith((f"base/namespaces/{metadata['namespace']}/", "base/mesh/"))
    paths = [m.path for m in core(context)]
    assert len(paths) == len(set(paths))


def test_the_users_names_are_used_slugified() -> None:
    context = context_of(case("per-team-named"))
    assert context.recommended("namespaces") == "per_team"
    found = {p.name for p in plan(context)}
    teams = ("payments-team", "search-ranking", "payments-team-2")  # the third slugifies like the first
    assert found == {f"{t}-{env}" for t in teams for env in ("dev", "staging", "prod")}
    groups = {s["name"] for d in objects(rbac.generate(context), "RoleBinding") for s in d["subjects"]}
    assert groups == {f"{t}-developers" for t in teams}
    assert not any("PLACEHOLDER" in m.comment for m in core(context))

    apps = context_of(case("in-cluster-agents-on-prem"))
    assert {p.name for p in plan(apps)} == {"card-api-prod", "ledger-prod"}


def test_shared_namespaces_one_per_environment_with_a_role_per_team() -> None:
    context = context_of(case("shared"))
    assert context.recommended("namespaces") == "shared"
    (found,) = plan(context)
    assert (found.name, found.owners, found.placeholder) == ("apps-prod", ("web",), False)
    assert [d["metadata"]["name"] for d in objects(rbac.generate(context), "Role")] == ["web-developer"]


def test_placeholders_when_no_names_are_given() -> None:
    context = context_of(case("platform-30-teams"))  # 120 applications, several teams, three environments
    found = plan(context)
    assert {p.app for p in found} == {"app-1", "app-2", "app-3"}  # capped
    assert all(p.placeholder for p in found)
    assert all("PLACEHOLDER" in m.comment for m in core(context) if m.path.startswith("base/namespaces/app-"))
    single = plan(context_of(case("onprem-novice")))  # one team, three applications, production only
    assert [p.name for p in single] == ["app-1-prod", "app-2-prod", "app-3-prod"]
    assert {p.owners for p in single} == {("team-1",)}


def test_an_application_that_names_its_team_is_bound_to_that_teams_group() -> None:
    base = context_of(case("platform-30-teams"))  # one namespace per application, several teams
    assert base.recommended("namespaces") == "per_app_env"
    apps = ("payments/checkout", "payments/refunds", "identity/login", "search")
    context = BundleContext(base.result, base.kb, ("payments", "ledger"), apps)
    owners = {p.app: (p.team, p.owners) for p in plan(context)}
    assert owners == {
        "checkout": ("payments", ("payments",)),
        "refunds": ("payments", ("payments",)),
        "login": ("identity", ("identity",)),  # a team named only as an owner is a team all the same
        "search": (None, ("search",)),  # several teams, none named: a group of its own
    }
    bindings = {
        (d["metadata"]["namespace"], s["name"])
        for d in objects(rbac.generate(context), "RoleBinding")
        for s in d["subjects"]
    }
    assert ("checkout-prod", "payments-developers") in bindings
    assert ("login-dev", "identity-developers") in bindings
    assert ("search-staging", "search-developers") in bindings
    assert not any(p.placeholder for p in plan(context))
    readme = build_bundle(base.result, base.kb, teams=context.teams, apps=apps).readme
    assert "a group of its own, `<application>-developers`" in " ".join(readme.split())
    assert "a group of its own" not in build_bundle(base.result, base.kb, teams=(), apps=apps[:3]).readme
    assert "name no namespace" not in readme


def test_under_one_namespace_per_team_application_names_only_add_their_teams() -> None:
    base = context_of(case("per-team-named"))
    assert base.recommended("namespaces") == "per_team"
    context = BundleContext(base.result, base.kb, ("payments",), ("identity/login", "search"))
    assert [p.team for p in plan(context)] == ["payments"] * 3 + ["identity"] * 3, "no namespace per application"
    readme = " ".join(build_bundle(base.result, base.kb, teams=context.teams, apps=context.apps).readme.split())
    assert "The application names given name no namespace: the recommended layout is" in readme
    assert "name no namespace" not in build_bundle(base.result, base.kb, teams=("payments",)).readme


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("kube-system",), "kube-system-team"),
        (("default",), "default-team"),
        (("Équipe Données!",), "equipe-donnees"),
        (("x" * 100,), "x" * 55),
        (("---", "ok"), "ok"),
    ],
)
def test_team_names_never_become_system_namespaces_or_overlong(given: tuple[str, ...], expected: str) -> None:
    base = case("per-team-named")
    context = BundleContext(context_of(base).result, context_of(base).kb, given, ())
    assert {p.team for p in plan(context)} == {expected}
    for p in plan(context):
        assert DNS_LABEL.fullmatch(p.name)
        assert len(p.name) <= 63
