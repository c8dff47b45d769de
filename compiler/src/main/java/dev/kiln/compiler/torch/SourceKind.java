package dev.kiln.compiler.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What kind of model file a compile was given, decided from its first bytes and, failing that, its
 * name. Zips and pickles go to the TorchScript compiler even when misnamed, because only it can
 * tell a scripted model from an eager {@code state_dict} and say how to fix the latter.
 */
public enum SourceKind {
  ONNX,
  TORCH;

  public static SourceKind of(Path source) {
    if (source == null) {
      return ONNX;
    }
    byte[] head = new byte[4];
    int n = 0;
    if (Files.isRegularFile(source)) {
      try (InputStream in = Files.newInputStream(source)) {
        n = in.readNBytes(head, 0, head.length);
      } catch (IOException e) {
        n = 0; // Unreadable: the name decides, and the chosen compiler reports the I/O error.
      }
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      return TORCH;
    }
    if (n >= 2 && (head[0] & 0xff) == 0x80 && (head[1] & 0xff) >= 2 && (head[1] & 0xff) <= 5) {
      return TORCH;
    }
    String file = source.getFileName() == null ? "" : source.getFileName().toString();
    String lower = file.toLowerCase(Locale.ROOT);
    return lower.endsWith(".pt")
            || lower.endsWith(".pth")
            || lower.endsWith(".ts")
            || lower.endsWith(".torchscript")
        ? TORCH
        : ONNX;
  }
}
