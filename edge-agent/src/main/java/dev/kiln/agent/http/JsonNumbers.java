package dev.kiln.agent.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.doubleparser.JavaDoubleParser;
import java.io.IOException;

/** The current JSON number token as a float, read in place, rounded as the tree decoders round. */
public final class JsonNumbers {
  private JsonNumbers() {}

  /**
   * The number's text parsed where the parser holds it: {@code getDoubleValue()} would make a
   * String per number (most of the garbage a large body made). Through double, correctly rounded as
   * Double.parseDouble, then to float, as the tree's DoubleNode.floatValue() does; integers as
   * IntNode, LongNode and BigIntegerNode convert them.
   */
  public static float asFloat(JsonParser p) throws IOException {
    if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT) {
      return (float)
          JavaDoubleParser.parseDouble(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }
    return switch (p.getNumberType()) {
      case INT -> (float) p.getIntValue();
      case LONG -> (float) p.getLongValue();
      default -> p.getBigIntegerValue().floatValue();
    };
  }
}
