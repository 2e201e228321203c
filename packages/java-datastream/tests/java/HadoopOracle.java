import java.io.*;
import java.nio.ByteBuffer;
import java.nio.charset.*;
import java.nio.file.*;
import java.security.MessageDigest;
import java.util.*;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.WritableUtils;

/**
 * Ground truth from Hadoop's own Text and WritableUtils (tests/java/hadoop, Apache-2.0),
 * compiled by the tests. One JVM run handles a whole table.
 *
 * <pre>
 * java HadoopOracle text FILE     per line of hex bytes: "s:" + Text.decode as UTF-16 units,
 *                                  then the strict decode ("ok" or "EXC:length@offset"),
 *                                  then validateUTF8 ("ok" or "EXC:count"), tab-separated
 * java HadoopOracle sweep BYTES   Text.decode of every input of 0 to 2 bytes, then of the 3-byte
 *                                  inputs made of BYTES (hex, comma-separated, or "all") by
 *                                  first byte: one "label SHA-256" line per block, of the
 *                                  record()s of the block's inputs in order
 * java HadoopOracle encode FILE   per line of UTF-16 units in hex: Text.writeString's bytes
 * java HadoopOracle vlongs FILE   per line of a decimal long: writeVLong's bytes, getVIntSize,
 *                                  and writeVInt's bytes when it is an int
 * java HadoopOracle bytes         per first byte -128..127: decodeVIntSize and isNegativeVInt
 * java HadoopOracle read FILE     "op,op,... TAB hex" cases, ops among vlong vint
 *                                  range:LO:HI text textmax:N strict skip left; the results,
 *                                  "EXC:SimpleName:message" and "left:N" as Oracle.java prints
 * </pre>
 */
public class HadoopOracle {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "text" -> text(Paths.get(args[1]));
            case "sweep" -> sweep(args[1]);
            case "encode" -> encode(Paths.get(args[1]));
            case "vlongs" -> vlongs(Paths.get(args[1]));
            case "bytes" -> firstBytes();
            case "read" -> read(Paths.get(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static List<String> lines(Path path) throws IOException {
        return Files.readAllLines(path, StandardCharsets.US_ASCII);
    }

    static byte[] bytes(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static String hex(byte[] data, int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) out.append(String.format("%02x", data[i] & 0xff));
        return out.toString();
    }

    static String units(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) out.append(String.format("%04x", (int) text.charAt(i)));
        return out.toString();
    }

    /** "ok", or the length Text.decode(..., false) throws with and where the JDK decoder stopped. */
    static String strict(byte[] data) throws CharacterCodingException {
        try {
            Text.decode(data, 0, data.length, false);
            return "ok";
        } catch (MalformedInputException e) {
            // The same JDK decoder on a buffer of our own shows where the malformed group starts.
            ByteBuffer buffer = ByteBuffer.wrap(data);
            try {
                StandardCharsets.UTF_8.newDecoder().decode(buffer);
            } catch (MalformedInputException again) {
                if (again.getInputLength() != e.getInputLength()) throw new AssertionError();
            }
            return "EXC:" + e.getInputLength() + "@" + buffer.position();
        }
    }

    static String validate(byte[] data) {
        try {
            Text.validateUTF8(data);
            return "ok";
        } catch (MalformedInputException e) {
            return "EXC:" + e.getInputLength();
        }
    }

    static void text(Path file) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String line : lines(file)) {
            byte[] data = bytes(line);
            out.append("s:").append(units(Text.decode(data))).append('\t')
               .append(strict(data)).append('\t').append(validate(data)).append('\n');
        }
        System.out.print(out);
    }

    /** One input's record in the sweep: Text.decode's chars, then U+D800 (a decoded string never holds a lone surrogate). */
    static void record(byte[] data, StringBuilder out) throws Exception {
        out.append(Text.decode(data)).append('\ud800');
    }

    static String digest(StringBuilder records) throws Exception {
        ByteBuffer utf16 = ByteBuffer.allocate(records.length() * 2);
        for (int i = 0; i < records.length(); i++) utf16.putChar(records.charAt(i));
        byte[] sum = MessageDigest.getInstance("SHA-256").digest(utf16.array());
        return hex(sum, sum.length);
    }

    static void sweep(String values) throws Exception {
        int[] bytes = values.equals("all")
                ? java.util.stream.IntStream.range(0, 256).toArray()
                : java.util.Arrays.stream(values.split(",")).mapToInt(v -> Integer.parseInt(v, 16)).toArray();
        StringBuilder out = new StringBuilder();
        StringBuilder records = new StringBuilder();
        record(new byte[0], records);
        for (int a = 0; a < 256; a++) record(new byte[] {(byte) a}, records);
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) record(new byte[] {(byte) a, (byte) b}, records);
        }
        out.append("short ").append(digest(records)).append('\n');
        for (int a : bytes) {
            records.setLength(0);
            for (int b : bytes) {
                for (int c : bytes) record(new byte[] {(byte) a, (byte) b, (byte) c}, records);
            }
            out.append(String.format("%02x ", a)).append(digest(records)).append('\n');
        }
        System.out.print(out);
    }

    static String units(String hex, boolean unused) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 4) {
            text.append((char) Integer.parseInt(hex.substring(i, i + 4), 16));
        }
        return text.toString();
    }

    static void encode(Path file) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String line : lines(file)) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            Text.writeString(new DataOutputStream(sink), units(line, true));
            out.append(hex(sink.toByteArray(), sink.size())).append('\n');
        }
        System.out.print(out);
    }

    static void vlongs(Path file) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String line : lines(file)) {
            long value = Long.parseLong(line);
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            WritableUtils.writeVLong(new DataOutputStream(sink), value);
            out.append(hex(sink.toByteArray(), sink.size())).append('\t')
               .append(WritableUtils.getVIntSize(value));
            if (value == (int) value) {
                sink.reset();
                WritableUtils.writeVInt(new DataOutputStream(sink), (int) value);
                out.append('\t').append(hex(sink.toByteArray(), sink.size()));
            }
            out.append('\n');
        }
        System.out.print(out);
    }

    static void firstBytes() {
        StringBuilder out = new StringBuilder();
        for (int b = -128; b < 128; b++) {
            out.append(b).append('\t').append(WritableUtils.decodeVIntSize((byte) b)).append('\t')
               .append(WritableUtils.isNegativeVInt((byte) b)).append('\n');
        }
        System.out.print(out);
    }

    static String readOne(DataInputStream data, String op) throws IOException {
        String[] parts = op.split(":");
        return switch (parts[0]) {
            case "vlong" -> String.valueOf(WritableUtils.readVLong(data));
            case "vint" -> String.valueOf(WritableUtils.readVInt(data));
            case "range" -> String.valueOf(WritableUtils.readVIntInRange(
                data, Integer.parseInt(parts[1]), Integer.parseInt(parts[2])));
            case "text" -> "s:" + units(Text.readString(data));
            case "textmax" -> "s:" + units(Text.readString(data, Integer.parseInt(parts[1])));
            case "strict" -> {
                int length = WritableUtils.readVIntInRange(data, 0, Integer.MAX_VALUE);
                byte[] bytes = new byte[length];
                data.readFully(bytes);
                yield "s:" + units(Text.decode(bytes, 0, length, false));
            }
            case "skip" -> {
                Text.skip(data);
                yield "skipped";
            }
            case "left" -> "left:" + data.available();
            default -> throw new IllegalArgumentException(op);
        };
    }

    static void read(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : lines(file)) {
            String[] row = line.split("\t", 2);
            DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes(row[1])));
            StringJoiner tokens = new StringJoiner("\t");
            for (String op : row[0].split(",")) {
                try {
                    tokens.add(readOne(data, op));
                } catch (IOException e) {
                    tokens.add("EXC:" + e.getClass().getSimpleName() + ":" + e.getMessage());
                    tokens.add("left:" + data.available());
                    break;
                }
            }
            out.append(tokens).append('\n');
        }
        System.out.print(out);
    }
}
