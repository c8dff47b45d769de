/**
 * Calibration data: real model inputs from {@code --calibration-data} (JSON, JSONL, .npy, .npz or a
 * folder of them) or from fleet captures, read once by {@link
 * dev.kiln.compiler.calibration.CalibrationSet} for verification, TorchScript shapes and
 * quantization. Every file is treated as hostile: memory is bounded by the bytes given, and every
 * refusal names the file, the problem and the fix (docs/compiler.md).
 */
package dev.kiln.compiler.calibration;
