package dev.kiln.compiler.ir;

/**
 * Recognizes files that are clearly not protobuf from their first bytes, so a user who passes a
 * TorchScript archive or a JSON file hears that instead of a protobuf decoding error.
 */
final class FileSniffer {
  private static final int SAMPLE = 512;

  private FileSniffer() {}

  /** A short description of what the bytes look like, or null when they may well be protobuf. */
  static String describeNonProtobuf(byte[] bytes) {
    if (startsWith(bytes, 'P', 'K', 3, 4)) {
      return "it is a zip archive (a TorchScript .pt file or similar), not an ONNX protobuf";
    }
    if (startsWith(bytes, 0x89, 'H', 'D', 'F')) {
      return "it is an HDF5 file (a Keras .h5 model?), not an ONNX protobuf";
    }
    if (startsWith(bytes, 0x80) && bytes.length > 1 && (bytes[1] & 0xff) <= 5) {
      return "it looks like a Python pickle (a PyTorch state_dict?), not an ONNX protobuf";
    }
    if (looksLikeText(bytes)) {
      return "it looks like a text file";
    }
    return null;
  }

  private static boolean looksLikeText(byte[] bytes) {
    int n = Math.min(bytes.length, SAMPLE);
    int printable = 0;
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (b == '\n' || b == '\r' || b == '\t' || (b >= 0x20 && b < 0x7f)) {
        printable++;
      }
    }
    // Real models start with small varint tags and binary lengths; text is nearly all printable.
    return n > 0 && printable * 100 >= n * 95;
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xff) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
