package dev.kiln.cli.compile;

import dev.kiln.artifact.Artifact;
import dev.kiln.compiler.ir.OnnxModelIO;
import dev.kiln.compiler.ir.OpHistogram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The op types of a shipped payload's top-level graph, named as {@link OpHistogram} names them
 * (prefixed with the domain when not the default one, e.g. {@code com.microsoft::QLinearConv}). An
 * .onnx payload is read with Kiln's IR. An .ort payload is ONNX Runtime's flatbuffer, which the IR
 * does not read; this walks it by ONNX Runtime's schema (onnxruntime/core/flatbuffers/schema/
 * ort.fbs): InferenceSession.model (field 1) -> Model.graph (7) -> Graph.nodes (2) -> each Node's
 * domain (2) and op_type (5).
 */
final class PayloadOps {
  private PayloadOps() {}

  static Set<String> of(Artifact artifact) throws Exception {
    Path payload = artifact.payloadPath();
    if (artifact.manifest().payload().format().equals("onnx")) {
      return new TreeSet<>(OpHistogram.of(OnnxModelIO.read(payload)).ops().keySet());
    }
    ByteBuffer fb = ByteBuffer.wrap(Files.readAllBytes(payload)).order(ByteOrder.LITTLE_ENDIAN);
    if (!"ORTM".equals(new String(bytes(fb, 4, 4), StandardCharsets.US_ASCII))) {
      throw new IllegalArgumentException(payload + " is not an ORT-format model");
    }
    int session = fb.getInt(0);
    int graph = table(fb, table(fb, session, 1), 7);
    int nodes = reference(fb, graph, 2);
    Set<String> ops = new TreeSet<>();
    for (int i = 0, n = fb.getInt(nodes); i < n; i++) {
      int at = nodes + 4 + 4 * i;
      int node = at + fb.getInt(at);
      String domain = string(fb, node, 2);
      String op = string(fb, node, 5);
      ops.add(domain.isEmpty() || domain.equals("ai.onnx") ? op : domain + "::" + op);
    }
    return ops;
  }

  /** Where field {@code field} of the table at {@code table} is stored, or -1 when absent. */
  private static int field(ByteBuffer fb, int table, int field) {
    int vtable = table - fb.getInt(table);
    int entry = 4 + 2 * field;
    if (entry >= Short.toUnsignedInt(fb.getShort(vtable))) {
      return -1;
    }
    int offset = Short.toUnsignedInt(fb.getShort(vtable + entry));
    return offset == 0 ? -1 : table + offset;
  }

  /** The table, vector or string an offset field points to. */
  private static int reference(ByteBuffer fb, int table, int field) {
    int at = field(fb, table, field);
    if (at < 0) {
      throw new IllegalArgumentException("ORT model lacks field " + field + " at " + table);
    }
    return at + fb.getInt(at);
  }

  private static int table(ByteBuffer fb, int table, int field) {
    return reference(fb, table, field);
  }

  private static String string(ByteBuffer fb, int table, int field) {
    if (field(fb, table, field) < 0) {
      return "";
    }
    int at = reference(fb, table, field);
    return new String(bytes(fb, at + 4, fb.getInt(at)), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer fb, int from, int length) {
    byte[] out = new byte[length];
    fb.get(from, out);
    return out;
  }
}
