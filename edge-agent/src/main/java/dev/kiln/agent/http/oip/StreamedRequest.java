package dev.kiln.agent.http.oip;

import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.http.JsonCursor;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast path for an infer request: the JSON is read from its bytes by a {@link JsonCursor}
 * straight into the {@link InferRequest}, with no tokens and no tree, and each input's {@code
 * "data"} is read into an array sized from its admitted {@code shape}. A request with the binary
 * tensor extension is a small JSON header (name, datatype, shape, parameters, outputs); building it
 * as a tree first cost twice what decoding a whole {@code .npy} body does, and the binary path is
 * meant to cost what {@code .npy} costs. JSON {@code data} is read as the byte scanner of {@code
 * /invocations} reads numbers: about twice as fast as through Jackson's tokens.
 *
 * <p>It takes only well-formed requests in the usual order ({@code data} after {@code name}, {@code
 * datatype} and {@code shape}) with plain strings (no escapes). Any other order, a repeated key, a
 * value of an unexpected type, and every request the agent would refuse return null; {@link
 * InferRequest} then reads the whole body as a tree and accepts or names the error as before. Keys
 * the protocol does not use are skipped, as the tree path ignores them. A unit test checks both
 * paths give the same request.
 */
final class StreamedRequest {
  private final JsonCursor c;
  private final Manifest.IoSignature signature;
  private final DecodeLimits limits;
  private final BinarySection binary;

  private StreamedRequest(
      JsonCursor c, Manifest.IoSignature signature, DecodeLimits limits, BinarySection binary) {
    this.c = c;
    this.signature = signature;
    this.limits = limits;
    this.binary = binary;
  }

  /** The request, or null when the tree path must decide. */
  static InferRequest tryParse(
      byte[] body, int jsonLength, Manifest.IoSignature signature, DecodeLimits limits) {
    try {
      JsonCursor c = new JsonCursor(body, jsonLength);
      if (!c.skipTo('{')) {
        return null;
      }
      InferRequest request =
          new StreamedRequest(c, signature, limits, new BinarySection(body, jsonLength)).request();
      return c.atEnd() ? request : null;
    } catch (RuntimeException e) {
      // AgentException and Decline included: whatever this pass cannot take, the tree decides.
      return null;
    }
  }

  /** Thrown to give the request to the tree path; carries no stack. */
  private static final class Decline extends RuntimeException {
    private static final Decline INSTANCE = new Decline();

    private Decline() {
      super(null, null, false, false);
    }
  }

  private static Decline decline() {
    return Decline.INSTANCE;
  }

  /** Reads one member's value; the cursor is past its name and colon. */
  private interface Member {
    void read(String key);
  }

  /** The members of an object whose brace was consumed, each to {@code each}, then its close. */
  private void members(Member each) {
    if (c.skipTo('}')) {
      return;
    }
    do {
      String key = c.name();
      require(key != null && c.skipTo(':'));
      each.read(key);
    } while (c.skipTo(','));
    require(c.skipTo('}'));
  }

  /** The elements of an array whose bracket was consumed, each to {@code each}, then its close. */
  private void elements(Runnable each) {
    if (c.skipTo(']')) {
      return;
    }
    do {
      each.run();
    } while (c.skipTo(','));
    require(c.skipTo(']'));
  }

  private String string() {
    String s = c.name();
    require(s != null);
    return s;
  }

  private void skip() {
    require(c.skipValue());
  }

  /** The request's members, as they arrive. */
  private static final class Fields {
    String id;
    Map<String, Tensor> inputs;
    List<InferRequest.RequestedOutput> outputs;
    Boolean binaryOutputs;
  }

  private InferRequest request() {
    Fields f = new Fields();
    members(
        key -> {
          switch (key) {
            case "id" -> {
              require(f.id == null);
              f.id = string();
            }
            case "inputs" -> {
              require(f.inputs == null && c.skipTo('['));
              f.inputs = inputs();
            }
            case "outputs" -> {
              require(f.outputs == null && c.skipTo('['));
              f.outputs = outputs();
            }
            case "parameters" -> {
              require(f.binaryOutputs == null && c.skipTo('{'));
              Boolean flag = flagIn("binary_data_output");
              // Given without the flag still counts as given: a second one is declined.
              f.binaryOutputs = flag != null ? flag : Boolean.FALSE;
            }
            default -> skip();
          }
        });
    require(f.inputs != null && !f.inputs.isEmpty());
    binary.requireConsumed();
    return new InferRequest(
        f.id,
        f.inputs,
        f.outputs == null ? List.of() : f.outputs,
        Boolean.TRUE.equals(f.binaryOutputs));
  }

  private Map<String, Tensor> inputs() {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    elements(
        () -> {
          require(c.skipTo('{'));
          Input in = input();
          require(inputs.put(in.spec.name(), in.tensor) == null);
        });
    return inputs;
  }

  private static final class Input {
    String name;
    String datatype;
    Manifest.TensorSpec spec;
    DType dtype;
    long[] shape;
    int count;
    long binarySize = -1;
    boolean hasParameters;
    Tensor tensor;
  }

  private Input input() {
    Input in = new Input();
    members(
        key -> {
          switch (key) {
            case "name" -> {
              require(in.name == null);
              in.name = string();
              in.spec = specOf(in.name);
            }
            case "datatype" -> {
              require(in.datatype == null);
              in.datatype = string();
            }
            case "shape" -> {
              require(in.shape == null && c.skipTo('['));
              in.shape = shape();
            }
            case "parameters" -> {
              require(!in.hasParameters && c.skipTo('{'));
              in.hasParameters = true;
              in.binarySize = binarySize();
            }
            case "data" -> {
              require(
                  in.tensor == null && in.name != null && in.datatype != null && in.shape != null);
              admit(in);
              in.tensor = new StreamedData(in.name, in.dtype, in.shape, in.count, limits).read(c);
              require(in.tensor != null);
            }
            default -> skip();
          }
        });
    require(in.name != null && in.datatype != null && in.shape != null);
    if (in.tensor == null) {
      require(in.binarySize >= 0);
      admit(in);
      in.tensor = binary.next(in.name, in.dtype, in.shape, in.count, in.binarySize, limits);
    } else {
      require(in.binarySize < 0);
    }
    return in;
  }

  private void admit(Input in) {
    if (in.dtype == null) {
      in.dtype = OipDatatype.forInput(in.spec.name(), in.datatype, in.spec.dtype());
      in.count = limits.admit(in.spec.name(), in.spec, in.shape);
    }
  }

  private long[] shape() {
    long[] dims = new long[4];
    int n = 0;
    if (c.skipTo(']')) {
      return dims.length == 0 ? dims : Arrays.copyOf(dims, 0);
    }
    do {
      long d = count();
      if (n == dims.length) {
        dims = Arrays.copyOf(dims, n * 2);
      }
      dims[n++] = d;
    } while (c.skipTo(','));
    require(c.skipTo(']'));
    return Arrays.copyOf(dims, n);
  }

  /** A whole number of at most 18 digits, not negative. */
  private long count() {
    c.skipWhitespace();
    require(c.scanNumber() == JsonCursor.LONG);
    long n = c.longValue();
    require(n >= 0);
    return n;
  }

  /** An input's parameters object: its binary_data_size, or -1 when it has none. */
  private long binarySize() {
    long[] size = {-1};
    members(
        key -> {
          if (key.equals("binary_data_size")) {
            require(size[0] < 0);
            size[0] = count();
          } else {
            skip();
          }
        });
    return size[0];
  }

  private List<InferRequest.RequestedOutput> outputs() {
    List<InferRequest.RequestedOutput> outputs = new ArrayList<>(2);
    elements(
        () -> {
          require(c.skipTo('{'));
          String[] name = {null};
          Boolean[] asBinary = {null};
          boolean[] hasParameters = {false};
          members(
              key -> {
                if (key.equals("name")) {
                  require(name[0] == null);
                  name[0] = string();
                  require(hasOutput(name[0]));
                } else if (key.equals("parameters")) {
                  require(!hasParameters[0] && c.skipTo('{'));
                  hasParameters[0] = true;
                  asBinary[0] = flagIn("binary_data");
                } else {
                  skip();
                }
              });
          require(name[0] != null);
          outputs.add(new InferRequest.RequestedOutput(name[0], asBinary[0]));
        });
    return outputs;
  }

  /**
   * A parameters object (its brace consumed): the boolean under {@code key}, or null when it has
   * none.
   */
  private Boolean flagIn(String key) {
    Boolean[] flag = {null};
    members(
        k -> {
          if (k.equals(key)) {
            require(flag[0] == null);
            flag[0] = c.bool();
            require(flag[0] != null);
          } else {
            skip();
          }
        });
    return flag[0];
  }

  private Manifest.TensorSpec specOf(String name) {
    for (Manifest.TensorSpec s : signature.inputs()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw decline();
  }

  private boolean hasOutput(String name) {
    for (Manifest.TensorSpec s : signature.outputs()) {
      if (s.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static void require(boolean ok) {
    if (!ok) {
      throw decline();
    }
  }
}
