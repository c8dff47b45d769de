#!/usr/bin/python3
"""Generate Kiln's sample models, their reference outputs and the broken inputs for error tests.

Run with the Debian python that has torch 1.13 / torchvision 0.14 / onnx 1.12:

    /usr/bin/python3 samples/generate.py            # small models -> samples/models/
    /usr/bin/python3 samples/generate.py --large    # + mobilenet_v2, resnet18 -> models/large/
    /usr/bin/python3 samples/generate.py --only-large   # the large ones alone (what bench/run does)
    /usr/bin/python3 samples/generate.py --out DIR  # write somewhere else

Every weight and input comes from a fixed seed and nothing is downloaded, so a rerun writes
byte-identical ONNX files and reference JSON. The Java tests only read the files written here;
they never run python.
"""

import argparse
import collections
import hashlib
import io
import json
import os
import pathlib
import sys

import numpy as np
import onnx
import torch
import torchvision
from onnx import helper, numpy_helper
from torch import nn

OPSET = 13
# IR 7 is what torch 1.13 writes for opset 13; the hand-built files use it too so that every
# sample looks like it came from the same exporter.
IR_VERSION = 7
INPUT, OUTPUT, BATCH = "input", "output", "batch"
DEFAULT_OUT = pathlib.Path(__file__).resolve().parent / "models"

# One seed per model, so adding a model never changes the weights of another.
MLP_SEED, CNN_SEED, MOBILENET_SEED, RESNET_SEED = 1, 2, 3, 4
# Reference inputs use their own generator, seeded from the model seed.
INPUT_SEED_OFFSET = 1000


# ----------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------


class Mlp(nn.Module):
    """Tabular sensor model: 8 readings in, 3 class scores out."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


class Cnn(nn.Module):
    """Small image classifier with the Conv+BatchNorm pairs the compiler folds."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = self.pool(x)
        x = torch.relu(self.bn2(self.conv2(x)))
        return self.fc(self.flatten(self.gap(x)))


def build_mlp():
    torch.manual_seed(MLP_SEED)
    return Mlp().eval()


def build_cnn():
    torch.manual_seed(CNN_SEED)
    model = Cnn()
    # Fresh BatchNorm is the identity (mean 0, var 1, weight 1, bias 0): folding it would prove
    # nothing, and torch's exporter would even merge the equal tensors into Identity nodes.
    with torch.no_grad():
        for bn in (model.bn1, model.bn2):
            n = bn.num_features
            bn.weight.copy_(torch.empty(n).uniform_(0.5, 1.5))
            bn.bias.copy_(torch.randn(n) * 0.2)
            bn.running_mean.copy_(torch.randn(n) * 0.5)
            bn.running_var.copy_(torch.empty(n).uniform_(0.5, 2.0))
    return model.eval()


# ----------------------------------------------------------------------------------------------
# Writing files
# ----------------------------------------------------------------------------------------------


def seeded_input(shape, seed):
    generator = torch.Generator().manual_seed(seed + INPUT_SEED_OFFSET)
    return torch.randn(*shape, generator=generator, dtype=torch.float32)


def export_onnx(model, example, *, keep_unoptimized=False):
    """Export with a dynamic batch axis and return the ModelProto (not yet saved).

    keep_unoptimized=True turns off the exporter's own rewrites: TrainingMode.PRESERVE skips the
    eval peephole that fuses BatchNorm into Conv, and constant folding stays off. The model is in
    eval mode, so BatchNormalization is still exported in inference form (one output).
    """
    mode = torch.onnx.TrainingMode.PRESERVE if keep_unoptimized else torch.onnx.TrainingMode.EVAL
    buffer = io.BytesIO()
    torch.onnx.export(
        model,
        example,
        buffer,
        opset_version=OPSET,
        input_names=[INPUT],
        output_names=[OUTPUT],
        dynamic_axes={INPUT: {0: BATCH}, OUTPUT: {0: BATCH}},
        do_constant_folding=not keep_unoptimized,
        training=mode,
    )
    return onnx.load_from_string(buffer.getvalue())


def save_onnx(proto, path, *, check=True):
    # Doc strings may carry source locations; drop them so the bytes depend only on the graph.
    proto.doc_string = ""
    proto.graph.doc_string = ""
    for node in proto.graph.node:
        node.doc_string = ""
    if check:
        onnx.checker.check_model(proto, full_check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(proto.SerializeToString())
    report(path)
    print(f"    ops: {op_histogram(proto)}")


def save_torchscript(module, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.save(module, str(path))
    report(path)


def save_reference(name, model, example, path):
    """Write the input and the eval-mode torch output in the JSON shape the Java side reads."""
    with torch.no_grad():
        result = model(example)
    document = {
        "model": name,
        "inputs": {INPUT: tensor_json(example)},
        "outputs": {OUTPUT: tensor_json(result)},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # float32 -> python float is exact, and repr of a python float round-trips, so the JSON holds
    # exactly the float32 values torch used and produced.
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    report(path)


def tensor_json(tensor):
    array = tensor.detach().numpy().astype(np.float32)
    data = [float(v) for v in array.ravel()]
    return {"dtype": "float32", "shape": list(array.shape), "data": data}


def op_histogram(proto):
    counts = collections.Counter(node.op_type for node in proto.graph.node)
    return dict(sorted(counts.items()))


def report(path):
    data = path.read_bytes()
    print(f"wrote {path} ({len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]})")


# ----------------------------------------------------------------------------------------------
# The unoptimized CNN graph
# ----------------------------------------------------------------------------------------------


def add_optimizer_work(proto, model):
    """Give each of the compiler's passes something to do, without changing the result.

    - an Identity between GlobalAveragePool and Flatten (Identity elimination),
    - the Gemm bias computed as Constant(bias / 2) * Constant(2) (constant folding; halving and
      doubling a float32 is exact, so the folded bias equals fc.bias bit for bit),
    - an initializer nothing reads (unused initializer removal).
    The Mul/Constant nodes become dead once folded, which is what dead-node removal is for.
    """
    graph = proto.graph
    nodes = list(graph.node)

    gap = next(n for n in nodes if n.op_type == "GlobalAveragePool")
    flatten = next(n for n in nodes if n.op_type == "Flatten")
    identity_out = "/gap/Identity_output_0"
    identity = helper.make_node("Identity", [gap.output[0]], [identity_out], name="/gap/Identity")
    flatten.input[0] = identity_out

    gemm = next(n for n in nodes if n.op_type == "Gemm")
    bias = model.fc.bias.detach().numpy().astype(np.float32)
    half = bias / np.float32(2)
    assert np.array_equal(half * np.float32(2), bias), "halving the bias must be exact"
    folded = "/fc/bias_folded"
    bias_chain = [
        helper.make_node(
            "Constant",
            [],
            ["/fc/bias_half"],
            name="/fc/bias_half",
            value=numpy_helper.from_array(half),
        ),
        helper.make_node(
            "Constant",
            [],
            ["/fc/bias_scale"],
            name="/fc/bias_scale",
            value=numpy_helper.from_array(np.array(2.0, dtype=np.float32)),
        ),
        helper.make_node("Mul", ["/fc/bias_half", "/fc/bias_scale"], [folded], name="/fc/bias_mul"),
    ]
    old_bias = gemm.input[2]
    gemm.input[2] = folded
    initializers = [i for i in graph.initializer if i.name != old_bias]
    initializers.append(
        numpy_helper.from_array(np.arange(4, dtype=np.float32), name="unused.calibration_table")
    )

    # Keep the node list topologically sorted: constants first, Identity right after its producer.
    ordered = list(bias_chain)
    for node in nodes:
        ordered.append(node)
        if node is gap:
            ordered.append(identity)
    del graph.node[:]
    graph.node.extend(ordered)
    del graph.initializer[:]
    graph.initializer.extend(initializers)


def check_unoptimized_cnn(proto):
    """Fail loudly if the exporter changed behaviour and folded the graph after all."""
    nodes = list(proto.graph.node)
    producers = {out: n for n in nodes for out in n.output}
    batch_norms = [n for n in nodes if n.op_type == "BatchNormalization"]
    assert len(batch_norms) == 2, f"expected 2 BatchNormalization nodes, got {op_histogram(proto)}"
    for bn in batch_norms:
        assert len(bn.output) == 1, f"{bn.name} is in training form ({len(bn.output)} outputs)"
        assert all(a.name != "training_mode" for a in bn.attribute), f"{bn.name} has training_mode"
        assert producers[bn.input[0]].op_type == "Conv", f"{bn.name} does not follow a Conv"
    histogram = op_histogram(proto)
    for op in ("Identity", "Constant", "Mul"):
        assert histogram.get(op, 0) >= 1, f"expected a {op} node, got {histogram}"
    used = {name for n in nodes for name in n.input}
    unused = [i.name for i in proto.graph.initializer if i.name not in used]
    assert unused, "expected an unused initializer"


# ----------------------------------------------------------------------------------------------
# Samples
# ----------------------------------------------------------------------------------------------


def write_mlp(out):
    model = build_mlp()
    example = seeded_input((2, 8), MLP_SEED)
    folder = out / "mlp"
    save_onnx(export_onnx(model, example), folder / "mlp.onnx")
    save_torchscript(torch.jit.trace(model, example), folder / "mlp.pt")
    save_reference("mlp", model, example, folder / "mlp.reference.json")


def write_mlp_faulty(out):
    """The mlp with its batch pinned to 1 inside the graph: it compiles, verifies and passes the
    agent's batch-1 health check, then fails every request with a batch of 2 or more. The failing
    version in fleet rollback tests and demos."""
    proto = export_onnx(build_mlp(), seeded_input((2, 8), MLP_SEED))
    graph = proto.graph
    graph.initializer.append(numpy_helper.from_array(np.array([1, 8], dtype=np.int64), "pinned"))
    for node in graph.node:
        node.input[:] = ["pinned_input" if name == INPUT else name for name in node.input]
    graph.node.insert(0, helper.make_node("Reshape", [INPUT, "pinned"], ["pinned_input"], name="pin_batch"))
    save_onnx(proto, out / "mlp" / "mlp_faulty.onnx")


def write_cnn(out):
    model = build_cnn()
    example = seeded_input((2, 3, 32, 32), CNN_SEED)
    folder = out / "cnn"
    proto = export_onnx(model, example, keep_unoptimized=True)
    add_optimizer_work(proto, model)
    check_unoptimized_cnn(proto)
    save_onnx(proto, folder / "cnn.onnx")
    save_torchscript(torch.jit.trace(model, example), folder / "cnn.pt")
    save_torchscript(torch.jit.script(model), folder / "cnn.scripted.pt")
    save_reference("cnn", model, example, folder / "cnn.reference.json")


def write_bad(out):
    """Inputs the compiler must reject with a clear error."""
    folder = out / "bad"
    folder.mkdir(parents=True, exist_ok=True)

    # Eager weights, not a TorchScript module: the usual mistake when exporting from PyTorch.
    state_dict = folder / "state_dict.pt"
    torch.save(build_cnn().state_dict(), state_dict)
    report(state_dict)

    text = folder / "not_a_model.onnx"
    text.write_text("This is a text file with an .onnx name; it is not an ONNX model.\n")
    report(text)

    # A real, valid MLP except for an opset no runtime knows.
    mlp = build_mlp()
    proto = export_onnx(mlp, seeded_input((2, 8), MLP_SEED))
    for opset in proto.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = 99
    save_onnx(proto, folder / "opset99.onnx", check=False)

    # Well-formed protobuf whose only node is an op that ai.onnx does not define; the checker
    # would reject it, which is the point.
    graph = helper.make_graph(
        [helper.make_node("FancyOp", [INPUT], [OUTPUT], name="fancy")],
        "unsupported_op",
        [helper.make_tensor_value_info(INPUT, onnx.TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info(OUTPUT, onnx.TensorProto.FLOAT, [1, 4])],
    )
    proto = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="kiln-samples"
    )
    proto.ir_version = IR_VERSION
    save_onnx(proto, folder / "unsupported_op.onnx", check=False)


def write_large(out, name, factory, seed):
    """torchvision architectures with random weights (weights=None, so nothing is downloaded)."""
    torch.manual_seed(seed)
    model = factory(weights=None).eval()
    example = seeded_input((1, 3, 224, 224), seed)
    folder = out / "large" / name
    save_onnx(export_onnx(model, example), folder / f"{name}.onnx")
    save_torchscript(torch.jit.trace(model, example), folder / f"{name}.pt")
    save_reference(name, model, example, folder / f"{name}.reference.json")


def main(argv):
    # torch.jit.script writes a module's constants in set order, and string hashing is salted per
    # process, so cnn.scripted.pt would differ on every run. Re-run with a fixed hash seed.
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, __file__, *argv], env)

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="also write mobilenet_v2 and resnet18")
    parser.add_argument(
        "--only-large",
        action="store_true",
        help="write only mobilenet_v2 and resnet18: the small models are committed, and torch's"
        " .pt archives are not byte-identical across torch builds, so rewriting them is noise",
    )
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)

    # One thread keeps float reductions in the same order on every machine.
    torch.set_num_threads(1)
    if not args.only_large:
        write_mlp(args.out)
        write_mlp_faulty(args.out)
        write_cnn(args.out)
        write_bad(args.out)
    if args.large or args.only_large:
        write_large(args.out, "mobilenet_v2", torchvision.models.mobilenet_v2, MOBILENET_SEED)
        write_large(args.out, "resnet18", torchvision.models.resnet18, RESNET_SEED)


if __name__ == "__main__":
    main(sys.argv[1:])
