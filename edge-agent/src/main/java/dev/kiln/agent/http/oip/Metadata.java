package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Manifest;
import java.util.List;

/** The server and model metadata documents ({@code GET /v2}, {@code GET /v2/models/{m}}). */
public final class Metadata {
  /** Extensions the agent implements, as the protocol names them. */
  public static final List<String> EXTENSIONS = List.of("binary_tensor_data");

  private Metadata() {}

  public static ObjectNode server(String version) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("name", "kiln-agent");
    n.put("version", version);
    EXTENSIONS.forEach(n.putArray("extensions")::add);
    return n;
  }

  /**
   * @param versions the versions serving traffic (production and shadow)
   * @param manifest the manifest of the version whose signature is shown
   */
  public static ObjectNode model(String name, List<String> versions, Manifest manifest) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("name", name);
    versions.forEach(n.putArray("versions")::add);
    n.put("platform", platform(manifest));
    tensors(n.putArray("inputs"), manifest.signature().inputs());
    tensors(n.putArray("outputs"), manifest.signature().outputs());
    return n;
  }

  /** The engine and payload format, in the spirit of Triton's {@code onnxruntime_onnx}. */
  static String platform(Manifest manifest) {
    return manifest.engine().name() + "_" + manifest.payload().format();
  }

  /**
   * A signature without a shape is shown as one dynamic dimension of unknown rank: {@code [-1]}.
   */
  private static void tensors(ArrayNode out, List<Manifest.TensorSpec> specs) {
    for (Manifest.TensorSpec s : specs) {
      ObjectNode t = out.addObject();
      t.put("name", s.name());
      t.put("datatype", OipDatatype.of(s.dtype()));
      ArrayNode shape = t.putArray("shape");
      if (s.shape() == null) {
        shape.add(-1);
      } else {
        s.shape().forEach(d -> shape.add(d < 0 ? -1 : d));
      }
    }
  }
}
