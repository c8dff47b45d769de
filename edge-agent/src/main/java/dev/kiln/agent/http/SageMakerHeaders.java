package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.util.Locale;

/**
 * The SageMaker runtime's request headers on {@code /invocations}, read and checked once.
 *
 * <ul>
 *   <li>{@code X-Amzn-SageMaker-Target-Model}: the model behind the endpoint. SageMaker's
 *       multi-model endpoints name an artifact relative to the endpoint's model prefix ({@code
 *       resnet.tar.gz}); Kiln names models, so the value is a Kiln model name and a trailing {@code
 *       .tar.gz} is dropped, letting SageMaker clients work unchanged.
 *   <li>{@code X-Amzn-SageMaker-Target-Variant}: a production variant, which in Kiln is named by
 *       its version.
 *   <li>{@code X-Amzn-SageMaker-Custom-Attributes}: opaque to the agent, kept in the capture
 *       records. SageMaker returns custom attributes only when the model's own code sets them; a
 *       Kiln model is a compiled graph with no such code, so none are returned.
 * </ul>
 *
 * <p>Each value is at most 1024 visible US-ASCII characters, SageMaker's own limit.
 */
record SageMakerHeaders(String targetModel, String targetVariant, String customAttributes) {
  static final String TARGET_MODEL = "X-Amzn-SageMaker-Target-Model";
  static final String TARGET_VARIANT = "X-Amzn-SageMaker-Target-Variant";
  static final String CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes";
  static final int MAX_LENGTH = 1024;
  private static final String ARCHIVE_SUFFIX = ".tar.gz";

  static SageMakerHeaders of(Exchange ex) {
    String model = checked(TARGET_MODEL, ex.header(TARGET_MODEL));
    if (model != null && model.toLowerCase(Locale.ROOT).endsWith(ARCHIVE_SUFFIX)) {
      model = model.substring(0, model.length() - ARCHIVE_SUFFIX.length());
    }
    return new SageMakerHeaders(
        model,
        checked(TARGET_VARIANT, ex.header(TARGET_VARIANT)),
        checked(CUSTOM_ATTRIBUTES, ex.header(CUSTOM_ATTRIBUTES)));
  }

  private static String checked(String header, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > MAX_LENGTH) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          header + " is " + value.length() + " characters; at most " + MAX_LENGTH + " are allowed");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 || c > 0x7E) && c != '\t') {
        throw new AgentException(
            AgentErrorCode.INVALID_INPUT,
            header + " holds a character outside visible US-ASCII at position " + i);
      }
    }
    return value;
  }
}
