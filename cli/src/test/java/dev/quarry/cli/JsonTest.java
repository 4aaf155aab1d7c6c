package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static String string(String s) {
    return Json.appendString(new StringBuilder(), s).toString();
  }

  @Test
  void escapesWhatRfc8259Requires() {
    assertEquals("\"plain\"", string("plain"));
    assertEquals("\"a \\\"quoted\\\" \\\\ path\"", string("a \"quoted\" \\ path"));
    assertEquals("\"\\n\\r\\t\\b\\f\"", string("\n\r\t\b\f"));
    assertEquals("\"\\u0000\\u0001\\u001f\"", string("\u0000\u0001\u001f"));
    assertEquals("\"/ \u007f é 中 😀\"", string("/ \u007f é 中 😀"),
        "the rest is written as is");
  }

  @Test
  void loneSurrogatesAreEscaped() {
    assertEquals("\"a\\ud83db\"", string("a\uD83Db"));
    assertEquals("\"\\ude00x\"", string("\uDE00x"));
    assertEquals("\"x\\ud83d\"", string("x\uD83D"));
    assertEquals("\"\\ude00\\ud83d\"", string("\uDE00\uD83D"), "reversed pair");
    assertEquals("\"\uD83D\uDE00\"", string("\uD83D\uDE00"), "a real pair stays");
  }

  @Test
  void oddStringsRoundTripThroughAJsonParser() throws Exception {
    List<String> odd = List.of("", "\"", "\\", "\u2028\u2029", "tab\there", "\uD83D", "\uFEFFbom",
        "new\nline", "\u0000", "ünïcödé 日本語 🎉");
    for (String s : odd) {
      assertEquals(s, MAPPER.readValue(string(s), String.class), s);
    }
  }

  @Test
  void floatsUseTheShortestRoundTrippingForm() throws Exception {
    float[] values =
        {0f, -0f, 1f, -1.5f, 0.1f, 1e-7f, 3.4028235e38f, Float.MIN_VALUE, 0.123456789f};
    String json = Json.appendFloats(new StringBuilder(), values).toString();
    StringBuilder expected = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      expected.append(i > 0 ? ", " : "").append(Float.toString(values[i]));
    }
    assertEquals(expected.append(']').toString(), json);

    SplittableRandom random = new SplittableRandom(7);
    float[] many = new float[1000];
    for (int i = 0; i < many.length; i++) many[i] = (float) (random.nextGaussian() * 0.05);
    float[] back = MAPPER.readValue(Json.appendFloats(new StringBuilder(), many).toString(),
        float[].class);
    for (int i = 0; i < many.length; i++) {
      assertEquals(Float.floatToIntBits(many[i]), Float.floatToIntBits(back[i]), "component " + i);
    }
  }

  @Test
  void nonFiniteFloatsFail() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Json.appendFloats(new StringBuilder(), new float[] {1f, Float.NaN}));
    assertEquals("component 1 is NaN, which JSON cannot hold", e.getMessage());
    assertThrows(IllegalStateException.class,
        () -> Json.appendFloats(new StringBuilder(), new float[] {Float.NEGATIVE_INFINITY}));
  }

  @Test
  void intAndStringArrays() {
    assertEquals("[]", Json.appendInts(new StringBuilder(), new int[0]).toString());
    assertEquals("[101, -1, 102]", Json.appendInts(new StringBuilder(), new int[] {101, -1, 102})
        .toString());
    assertEquals("[\"[CLS]\", \"##a\\\"\"]",
        Json.appendStrings(new StringBuilder(), new String[] {"[CLS]", "##a\""}).toString());
  }
}
