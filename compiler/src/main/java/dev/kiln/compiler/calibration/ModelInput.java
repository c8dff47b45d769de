package dev.kiln.compiler.calibration;

/**
 * One input as the model declares it, for {@link CalibrationSet#forModel}.
 *
 * @param dtype numpy name ("float32", "int64", ...), or null when the model does not say
 *     (TorchScript)
 * @param dims declared dims, -1 where dynamic; null when the model does not say
 */
public record ModelInput(String name, String dtype, long[] dims) {}
