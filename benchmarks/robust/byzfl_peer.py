"""Runs ../shared/benchmarks/peers/byzfl_rules.py (ByzFL 0.0.11, PyTorch and NumPy paths) with the
rules that script does not time added (SMEA, CAF, MoNNA, static clipping, bucketing with s = 2), so
that every Gradwire rule with a ByzFL counterpart has a peer figure. MDA and SMEA are timed only
for n <= 12 (byzfl_rules.SLOW_AT_SCALE).

`import byzfl` imports torchvision (for ByzFL's training benchmark only). PyPI's torchvision is
built against PyPI's CUDA torch and cannot load beside the peers venv's CPU torch
(torch 2.13.0+cpu from setup.sh), and installing it replaces that torch. When torchvision does not
import, an empty stand-in module is registered; no aggregator uses it.

Usage: python benchmarks/robust/byzfl_peer.py [--only mda,smea] [byzfl_rules.py arguments...]
"""
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.environ.get("GRADWIRE_PEERS_DIR", os.path.join(HERE, "..", "..", "..", "shared", "benchmarks", "peers"))

try:
    import torchvision  # noqa: F401
except Exception:
    class _Anything:
        """Stands in for any torchvision object that ByzFL's training module touches at import."""
        def __call__(self, *args, **kwargs):
            return self

        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return self

    def _module(name):
        module = types.ModuleType(name)
        def attribute(name):
            if name.startswith("__"):
                raise AttributeError(name)
            return _Anything()
        module.__getattr__ = attribute
        return module

    stub = _module("torchvision")
    stub.datasets = _module("torchvision.datasets")
    stub.transforms = _module("torchvision.transforms")
    sys.modules.update({"torchvision": stub, "torchvision.datasets": stub.datasets,
                        "torchvision.transforms": stub.transforms})
    print("note: torchvision stand-in registered (not used by the aggregators)", flush=True)

sys.path.insert(0, os.path.abspath(PEERS))
import byzfl  # noqa: E402
import byzfl_rules  # noqa: E402

byzfl_rules.RULES.update({
    "smea": lambda f: byzfl.SMEA(f=f),
    "caf": lambda f: byzfl.CAF(f=f),
    "monna": lambda f: byzfl.MoNNA(f=f, idx=0),
    "clipping": lambda f: byzfl.Clipping(c=2.0),
    "bucketing": lambda f: byzfl.Bucketing(s=2),
})
byzfl_rules.SLOW_AT_SCALE.add("smea")

args = sys.argv[1:]
if "--only" in args:
    i = args.index("--only")
    keep = set(args[i + 1].split(","))
    del args[i:i + 2]
    for name in list(byzfl_rules.RULES):
        if name not in keep:
            del byzfl_rules.RULES[name]
sys.argv = [sys.argv[0]] + args
byzfl_rules.main()
