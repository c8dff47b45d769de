package dev.kiln.compiler.ir;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.compiler.ir.proto.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes ONNX model files. Reading classifies every failure (missing, empty, not ONNX,
 * truncated, no graph) so the CLI can tell the user what went wrong in one line.
 */
public final class OnnxModelIO {
  /** Protobuf's hard limit for one message; bigger models must keep weights as external data. */
  private static final long MAX_MODEL_BYTES = Integer.MAX_VALUE;

  private static final String EXPORT_HINT =
      "Export it with torch.onnx.export (or another ONNX exporter) or check the path";

  private OnnxModelIO() {}

  /** Reads and sanity-checks a model file; never returns a model without a graph. */
  public static ModelProto read(Path path) {
    if (!Files.exists(path)) {
      throw new IrException(
          IrErrorCode.NOT_FOUND, "model file " + path + " does not exist; check the path");
    }
    if (!Files.isRegularFile(path)) {
      throw new IrException(
          IrErrorCode.NOT_FOUND, path + " is not a regular file; pass the path of a .onnx file");
    }
    byte[] bytes;
    try {
      long size = Files.size(path);
      if (size > MAX_MODEL_BYTES) {
        throw new IrException(
            IrErrorCode.TOO_LARGE,
            path
                + " is "
                + size
                + " bytes, over the 2 GiB protobuf limit; export it with external data"
                + " (torch.onnx.export(..., external_data=True))");
      }
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new IrException(IrErrorCode.IO_ERROR, "cannot read " + path + ": " + e, e);
    }
    return parse(bytes, path.toString());
  }

  /** Parses model bytes; {@code source} names them in error messages. */
  public static ModelProto parse(byte[] bytes, String source) {
    if (bytes.length == 0) {
      throw new IrException(
          IrErrorCode.NOT_ONNX,
          source + " is not an ONNX model: the file is empty. " + EXPORT_HINT);
    }
    String lookalike = FileSniffer.describeNonProtobuf(bytes);
    ModelProto model;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.setSizeLimit(Integer.MAX_VALUE);
      model = ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      if (lookalike != null) {
        throw notOnnx(source, lookalike, e);
      }
      if (isTruncation(e)) {
        throw new IrException(
            IrErrorCode.TRUNCATED,
            source
                + " is truncated: the protobuf ends in the middle of a field ("
                + bytes.length
                + " bytes read). Copy or download the model again",
            e);
      }
      throw notOnnx(source, "it is not a valid protobuf (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      // Only reachable for stream sources; a byte array either decodes or is invalid.
      throw new IrException(IrErrorCode.IO_ERROR, "cannot decode " + source + ": " + e, e);
    }
    if (!model.hasGraph() && model.getOpsetImportCount() == 0) {
      // Almost any byte soup parses as a protobuf of unknown fields; a real model has at least one.
      throw notOnnx(
          source,
          lookalike != null ? lookalike : "it has neither a graph nor an opset_import",
          null);
    }
    if (!model.hasGraph()
        || (model.getGraph().getNodeCount() == 0 && model.getGraph().getOutputCount() == 0)) {
      throw new IrException(
          IrErrorCode.EMPTY_GRAPH,
          source + " is an ONNX model without a graph to run; re-export it from the trained model");
    }
    return model;
  }

  /** Writes a model atomically: readers see the old file or the complete new one. */
  public static void write(ModelProto model, Path path) {
    try {
      AtomicFiles.write(path, model.toByteArray());
    } catch (IOException e) {
      throw new IrException(IrErrorCode.IO_ERROR, "cannot write model to " + path + ": " + e, e);
    }
  }

  private static boolean isTruncation(InvalidProtocolBufferException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("input ended unexpectedly")
        || message.contains("truncated")
        || message.contains("misreported its own length");
  }

  private static IrException notOnnx(String source, String why, Throwable cause) {
    return new IrException(
        IrErrorCode.NOT_ONNX, source + " is not an ONNX model: " + why + ". " + EXPORT_HINT, cause);
  }
}
