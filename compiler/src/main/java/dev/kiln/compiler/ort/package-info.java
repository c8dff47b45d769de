/**
 * Sessions on this host's ONNX Runtime: running a model on host tensors for verification and
 * benchmarks, and the offline graph optimizer whose output ships in the artifact.
 */
package dev.kiln.compiler.ort;
