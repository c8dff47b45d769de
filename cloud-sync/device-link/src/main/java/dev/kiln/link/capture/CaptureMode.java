package dev.kiln.link.capture;

/** Which tensors a capture keeps. */
public enum CaptureMode {
  INPUTS,
  OUTPUTS,
  BOTH
}
