package dev.kiln.agent.http.oip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kiln.agent.http.DecodeLimits;
import dev.kiln.agent.runtime.DType;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast path for an infer request: the JSON is read token by token straight into the {@link
 * InferRequest}, with no tree, and each input's {@code "data"} is streamed into an array sized from
 * its admitted {@code shape}. A request with the binary tensor extension is a small JSON header
 * (name, datatype, shape, parameters, outputs); building it as a tree first cost twice what
 * decoding a whole {@code .npy} body does, and the binary path is meant to cost what {@code .npy}
 * costs.
 *
 * <p>It takes only well-formed requests in the usual order ({@code data} after {@code name}, {@code
 * datatype} and {@code shape}). Any other order, a repeated key, a value of an unexpected type, and
 * every request the agent would refuse return null; {@link InferRequest} then reads the whole body
 * as a tree and accepts or names the error as before. Keys the protocol does not use are skipped,
 * as the tree path ignores them. A unit test checks both paths give the same request.
 */
final class StreamedRequest {
  private final JsonParser p;
  private final Manifest.IoSignature signature;
  private final DecodeLimits limits;
  private final BinarySection binary;

  private StreamedRequest(
      JsonParser p, Manifest.IoSignature signature, DecodeLimits limits, BinarySection binary) {
    this.p = p;
    this.signature = signature;
    this.limits = limits;
    this.binary = binary;
  }

  /** The request, or null when the tree path must decide. */
  static InferRequest tryParse(
      byte[] body, int jsonLength, Manifest.IoSignature signature, DecodeLimits limits) {
    // The factory's parser, not the mapper's: the mapper sets up a deserialization config on each
    // parser, which nothing here uses.
    try (JsonParser p = InferRequest.MAPPER.getFactory().createParser(body, 0, jsonLength)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      return new StreamedRequest(p, signature, limits, new BinarySection(body, jsonLength))
          .request();
    } catch (IOException | RuntimeException e) {
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

  private InferRequest request() throws IOException {
    String id = null;
    Map<String, Tensor> inputs = null;
    List<InferRequest.RequestedOutput> outputs = null;
    Boolean binaryOutputs = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      switch (key) {
        case "id" -> {
          require(id == null && value == JsonToken.VALUE_STRING);
          id = p.getText();
        }
        case "inputs" -> {
          require(inputs == null && value == JsonToken.START_ARRAY);
          inputs = inputs();
        }
        case "outputs" -> {
          require(outputs == null && value == JsonToken.START_ARRAY);
          outputs = outputs();
        }
        case "parameters" -> {
          require(binaryOutputs == null && value == JsonToken.START_OBJECT);
          binaryOutputs = flagIn("binary_data_output");
        }
        default -> p.skipChildren();
      }
    }
    require(inputs != null && !inputs.isEmpty());
    binary.requireConsumed();
    return new InferRequest(
        id, inputs, outputs == null ? List.of() : outputs, binaryOutputs != null && binaryOutputs);
  }

  private Map<String, Tensor> inputs() throws IOException {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
      Input in = input();
      require(inputs.put(in.spec.name(), in.tensor) == null);
    }
    require(t == JsonToken.END_ARRAY);
    return inputs;
  }

  /** One input object's fields, as they arrive. */
  private static final class Input {
    Manifest.TensorSpec spec;
    DType dtype;
    long[] shape;
    int count;
    long binarySize = -1;
    boolean hasParameters;
    Tensor tensor;
  }

  private Input input() throws IOException {
    Input in = new Input();
    String name = null;
    String datatype = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      switch (key) {
        case "name" -> {
          require(name == null && value == JsonToken.VALUE_STRING);
          name = p.getText();
          in.spec = specOf(name);
        }
        case "datatype" -> {
          require(datatype == null && value == JsonToken.VALUE_STRING);
          datatype = p.getText();
        }
        case "shape" -> {
          require(in.shape == null && value == JsonToken.START_ARRAY);
          in.shape = shape();
        }
        case "parameters" -> {
          require(!in.hasParameters && value == JsonToken.START_OBJECT);
          in.hasParameters = true;
          in.binarySize = binarySize();
        }
        case "data" -> {
          require(in.tensor == null && name != null && datatype != null && in.shape != null);
          admit(in, datatype);
          in.tensor = new StreamedData(name, in.dtype, in.shape, in.count, limits).read(p);
          require(in.tensor != null);
        }
        default -> p.skipChildren();
      }
    }
    require(name != null && datatype != null && in.shape != null);
    if (in.tensor == null) {
      require(in.binarySize >= 0);
      admit(in, datatype);
      in.tensor = binary.next(name, in.dtype, in.shape, in.count, in.binarySize, limits);
    } else {
      require(in.binarySize < 0);
    }
    return in;
  }

  private void admit(Input in, String datatype) {
    if (in.dtype == null) {
      in.dtype = OipDatatype.forInput(in.spec.name(), datatype, in.spec.dtype());
      in.count = limits.admit(in.spec.name(), in.spec, in.shape);
    }
  }

  private long[] shape() throws IOException {
    long[] dims = new long[4];
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_INT) {
      require(p.getNumberType() != JsonParser.NumberType.BIG_INTEGER);
      long d = p.getLongValue();
      require(d >= 0);
      if (n == dims.length) {
        dims = Arrays.copyOf(dims, n * 2);
      }
      dims[n++] = d;
    }
    require(t == JsonToken.END_ARRAY);
    return Arrays.copyOf(dims, n);
  }

  /** An input's parameters object: its binary_data_size, or -1 when it has none. */
  private long binarySize() throws IOException {
    long size = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      if (key.equals("binary_data_size")) {
        require(
            size < 0
                && value == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER);
        size = p.getLongValue();
        require(size >= 0);
      } else {
        p.skipChildren();
      }
    }
    return size;
  }

  private List<InferRequest.RequestedOutput> outputs() throws IOException {
    List<InferRequest.RequestedOutput> outputs = new ArrayList<>(2);
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
      String name = null;
      Boolean asBinary = null;
      boolean hasParameters = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken value = p.nextToken();
        if (key.equals("name")) {
          require(name == null && value == JsonToken.VALUE_STRING);
          name = p.getText();
          require(hasOutput(name));
        } else if (key.equals("parameters")) {
          require(!hasParameters && value == JsonToken.START_OBJECT);
          hasParameters = true;
          asBinary = flagIn("binary_data");
        } else {
          p.skipChildren();
        }
      }
      require(name != null);
      outputs.add(new InferRequest.RequestedOutput(name, asBinary));
    }
    require(t == JsonToken.END_ARRAY);
    return outputs;
  }

  /**
   * A parameters object (the parser at its start): the boolean under {@code key}, or null when it
   * has none.
   */
  private Boolean flagIn(String key) throws IOException {
    Boolean flag = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String k = p.currentName();
      JsonToken value = p.nextToken();
      if (k.equals(key)) {
        require(flag == null && (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE));
        flag = value == JsonToken.VALUE_TRUE;
      } else {
        p.skipChildren();
      }
    }
    return flag;
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
