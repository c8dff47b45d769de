package dev.kiln.compiler.calibration;

import dev.kiln.compiler.ort.HostTensor;
import java.util.Map;

/**
 * One sample as read, before it is matched to a model.
 *
 * @param origin where it came from, for messages: a file, "file[3]" or "file:12"
 * @param outputs expected outputs when the file has them (reference JSON), else empty
 * @param types the element type each input had in the file, before widening to float32/int64
 * @param arrays from .npy/.npz: its first axis may be a sample axis (see {@link
 *     CalibrationSet#forModel})
 * @param unnamed a lone .npy: its one array is the model's one input, whatever the file's name
 */
record Sample(
    String origin,
    Map<String, HostTensor> inputs,
    Map<String, HostTensor> outputs,
    Map<String, ElementType> types,
    boolean arrays,
    boolean unnamed) {}
