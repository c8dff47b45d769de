#!/usr/bin/python3
"""Fine-tune a sample model on a training set from `kiln data export --with-labels`.

    /usr/bin/python3 samples/retrain.py --model v1.onnx --data EXPORT_DIR --out v2.onnx

MODEL is an ONNX multilayer perceptron as samples/ makes them (Gemm, Relu, ..., Gemm: the drift
task's model, samples/drift_task.py, or the mlp of samples/generate.py). Its weights are the
starting point; the training set is EXPORT_DIR/train.npz and the held-out one
EXPORT_DIR/validation.npz, each with one float array per model input (samples along axis 0) and
`label` (class indices as text, as feedback stores them). Parquet is what the export is for
elsewhere; this python has no pyarrow, so it reads the .npz files the export writes beside it.

Deterministic: fixed seed, full-batch Adam, fixed number of steps. It takes a second or two on a
CPU. The last line printed is JSON: {"trainAccuracy", "validationAccuracy", "before": {...}, ...}.
"""

import argparse
import io
import json
import pathlib
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

SEED = 20261203


def load_mlp(path):
    """The model as a torch Sequential, with its ONNX weights; refuses other graphs."""
    proto = onnx.load(str(path))
    weights = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    layers = []
    for node in proto.graph.node:
        if node.op_type == "Gemm":
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            w = weights[node.input[1]]
            w = w if trans_b else w.T
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.array(w, dtype=np.float32)))
                linear.bias.copy_(torch.from_numpy(np.array(weights[node.input[2]], dtype=np.float32)))
            layers.append(linear)
        elif node.op_type == "Relu":
            layers.append(torch.nn.ReLU())
        else:
            sys.exit(f"{path}: op {node.op_type} is not part of a Gemm/Relu perceptron")
    names = (proto.graph.input[0].name, proto.graph.output[0].name)
    return torch.nn.Sequential(*layers), names


def load_set(path, input_name):
    with np.load(path) as data:
        x = data[input_name].astype(np.float32)
        labels = data["label"]
    x = x.reshape(x.shape[0], -1)
    y = np.array([int(v) for v in labels], dtype=np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def accuracy(model, x, y):
    if len(y) == 0:
        return None
    with torch.no_grad():
        return round(float((model(x).argmax(dim=1) == y).float().mean()), 4)


def export(model, names, path):
    buffer = io.BytesIO()
    model.eval()
    torch.onnx.export(
        model,
        torch.zeros(1, model[0].in_features),
        buffer,
        opset_version=13,
        input_names=[names[0]],
        output_names=[names[1]],
        dynamic_axes={names[0]: {0: "batch"}, names[1]: {0: "batch"}},
    )
    proto = onnx.load_from_string(buffer.getvalue())
    proto.doc_string = ""
    for node in proto.graph.node:
        node.doc_string = ""
    onnx.checker.check_model(proto)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(proto.SerializeToString())


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=pathlib.Path, required=True, help="the model to start from")
    parser.add_argument("--data", type=pathlib.Path, required=True, help="the export's folder")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="the new ONNX model")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args(argv)
    torch.manual_seed(SEED)
    model, names = load_mlp(args.model)
    x, y = load_set(args.data / "train.npz", names[0])
    vx, vy = load_set(args.data / "validation.npz", names[0])
    if len(y) == 0:
        sys.exit(f"{args.data / 'train.npz'} holds no labelled samples")
    before = {"trainAccuracy": accuracy(model, x, y), "validationAccuracy": accuracy(model, vx, vy)}
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    for _ in range(args.steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    model.eval()
    export(model, names, args.out)
    result = {
        "model": str(args.out),
        "trainSamples": len(y),
        "validationSamples": len(vy),
        "steps": args.steps,
        "before": before,
        "trainAccuracy": accuracy(model, x, y),
        "validationAccuracy": accuracy(model, vx, vy),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
