package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.proto.AttributeProto;
import dev.kiln.compiler.ir.proto.NodeProto;

/** Typed reads of node attributes with ONNX defaults. */
final class Attributes {
  private Attributes() {}

  static AttributeProto find(NodeProto node, String name) {
    for (AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  static long getInt(NodeProto node, String name, long fallback) {
    AttributeProto a = find(node, name);
    return a == null ? fallback : a.getI();
  }

  static float getFloat(NodeProto node, String name, float fallback) {
    AttributeProto a = find(node, name);
    return a == null ? fallback : a.getF();
  }

  /** The ints attribute, or null when absent. */
  static long[] getInts(NodeProto node, String name) {
    AttributeProto a = find(node, name);
    return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
  }
}
