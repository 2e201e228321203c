import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

/**
 * Ground truth from the JDK for the java-datastream tests. One JVM run handles a whole table.
 *
 * <pre>
 * java Oracle write  OPS OUT   write every op with DataOutputStream; one line per op on stdout:
 *                               "ok" or "EXC:SimpleName:message" (the message in UTF-16 hex)
 * java Oracle verify OPS IN    read IN with DataInputStream, check every op; exit 1 on a mismatch
 * java Oracle read   CASES     run each case's reads on its bytes; one line per case, tokens
 *                               separated by tabs, stopping at the first exception
 * </pre>
 *
 * OPS lines are "type TAB value". Integers are decimal; float and double are raw IEEE bits in
 * hex ("floatd" is a double narrowed with a (float) cast); strings are UTF-16 code units, 4 hex
 * digits each; bulk types (shorts, ints, longs, floats, doubles) are comma-separated.
 * CASES lines are "op,op,... TAB hex bytes" with ops among boolean byte ubyte short ushort char
 * int long float double utf line fully:N skip:N read:N left.
 */
public class Oracle {
    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "write" -> write(Paths.get(args[1]), Paths.get(args[2]));
            case "verify" -> System.exit(verify(Paths.get(args[1]), Paths.get(args[2])));
            case "read" -> read(Paths.get(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static List<String[]> table(Path path) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(path, StandardCharsets.US_ASCII)) {
            rows.add(line.split("\t", 2));
        }
        return rows;
    }

    static String units(String hex) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 4) {
            text.append((char) Integer.parseInt(hex.substring(i, i + 4), 16));
        }
        return text.toString();
    }

    static String[] list(String value) {
        return value.isEmpty() ? new String[0] : value.split(",");
    }

    static float floatBits(String hex) {
        return Float.intBitsToFloat((int) Long.parseLong(hex, 16));
    }

    static double doubleBits(String hex) {
        return Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16));
    }

    static int utfLength(String text) {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            length += (c >= 0x0001 && c <= 0x007F) ? 1 : (c <= 0x07FF ? 2 : 3);
        }
        return length;
    }

    static void write(Path ops, Path out) throws IOException {
        StringBuilder results = new StringBuilder();
        try (DataOutputStream data = new DataOutputStream(
                new BufferedOutputStream(Files.newOutputStream(out)))) {
            for (String[] op : table(ops)) {
                try {
                    writeOne(data, op[0], op[1]);
                    results.append("ok\n");
                } catch (IOException e) {
                    results.append("EXC:").append(e.getClass().getSimpleName()).append(':')
                           .append(hex(String.valueOf(e.getMessage()))).append('\n');
                }
            }
            results.append("size:").append(data.size()).append('\n');
        }
        System.out.print(results);
    }

    static void writeOne(DataOutputStream data, String type, String value) throws IOException {
        switch (type) {
            case "boolean" -> data.writeBoolean(Boolean.parseBoolean(value));
            case "byte" -> data.writeByte(Integer.parseInt(value));
            case "short" -> data.writeShort(Integer.parseInt(value));
            case "char" -> data.writeChar(Integer.parseInt(value));
            case "int" -> data.writeInt(Integer.parseInt(value));
            case "long" -> data.writeLong(Long.parseLong(value));
            case "write" -> data.write(Integer.parseInt(value));
            case "float" -> data.writeFloat(floatBits(value));
            case "floatd" -> data.writeFloat((float) doubleBits(value));
            case "double" -> data.writeDouble(doubleBits(value));
            case "utf" -> data.writeUTF(units(value));
            case "chars" -> data.writeChars(units(value));
            case "bytes" -> data.writeBytes(units(value));
            case "shorts" -> { for (String v : list(value)) data.writeShort(Integer.parseInt(v)); }
            case "ints" -> { for (String v : list(value)) data.writeInt(Integer.parseInt(v)); }
            case "longs" -> { for (String v : list(value)) data.writeLong(Long.parseLong(v)); }
            case "floats" -> { for (String v : list(value)) data.writeFloat(floatBits(v)); }
            case "doubles" -> { for (String v : list(value)) data.writeDouble(doubleBits(v)); }
            default -> throw new IllegalArgumentException(type);
        }
    }

    static int verify(Path ops, Path in) throws IOException {
        int line = 0;
        try (DataInputStream data = new DataInputStream(
                new BufferedInputStream(Files.newInputStream(in)))) {
            for (String[] op : table(ops)) {
                line++;
                String problem = verifyOne(data, op[0], op[1]);
                if (problem != null) {
                    System.out.println("MISMATCH at op " + line + " (" + op[0] + "): " + problem);
                    return 1;
                }
            }
            if (data.read() != -1) {
                System.out.println("MISMATCH: bytes left after the last op");
                return 1;
            }
        }
        System.out.println("verified " + line + " ops");
        return 0;
    }

    static String expect(boolean ok, Object got, Object wanted) {
        return ok ? null : "read " + got + ", wanted " + wanted;
    }

    static String verifyOne(DataInputStream data, String type, String value) throws IOException {
        switch (type) {
            case "boolean": {
                boolean got = data.readBoolean();
                return expect(got == Boolean.parseBoolean(value), got, value);
            }
            case "byte":
            case "write": {
                byte got = data.readByte();
                return expect(got == (byte) Integer.parseInt(value), got, value);
            }
            case "short": {
                short got = data.readShort();
                return expect(got == (short) Integer.parseInt(value), got, value);
            }
            case "char": {
                char got = data.readChar();
                return expect(got == (char) Integer.parseInt(value), (int) got, value);
            }
            case "int": {
                int got = data.readInt();
                return expect(got == Integer.parseInt(value), got, value);
            }
            case "long": {
                long got = data.readLong();
                return expect(got == Long.parseLong(value), got, value);
            }
            case "float":
            case "floatd": {
                float wanted = type.equals("float") ? floatBits(value) : (float) doubleBits(value);
                int got = Float.floatToRawIntBits(data.readFloat());
                return expect(got == Float.floatToIntBits(wanted), Integer.toHexString(got), value);
            }
            case "double": {
                long got = Double.doubleToRawLongBits(data.readDouble());
                long wanted = Double.doubleToLongBits(doubleBits(value));
                return expect(got == wanted, Long.toHexString(got), value);
            }
            case "utf": {
                String wanted = units(value);
                if (utfLength(wanted) > 65535) return null; // writeUTF refused it: nothing written
                String got = data.readUTF();
                return expect(got.equals(wanted), "a different string", value);
            }
            case "chars": {
                String wanted = units(value);
                for (int i = 0; i < wanted.length(); i++) {
                    char got = data.readChar();
                    if (got != wanted.charAt(i)) return "char " + i + " is " + (int) got;
                }
                return null;
            }
            case "bytes": {
                String wanted = units(value);
                for (int i = 0; i < wanted.length(); i++) {
                    byte got = data.readByte();
                    if (got != (byte) wanted.charAt(i)) return "byte " + i + " is " + got;
                }
                return null;
            }
            default: {
                String[] values = list(value);
                for (int i = 0; i < values.length; i++) {
                    String single = type.substring(0, type.length() - 1);
                    String problem = verifyOne(data, single, values[i]);
                    if (problem != null) return "item " + i + ": " + problem;
                }
                return null;
            }
        }
    }

    static String hex(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) out.append(String.format("%04x", (int) text.charAt(i)));
        return out.toString();
    }

    static String hex(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) out.append(String.format("%02x", bytes[i] & 0xff));
        return out.toString();
    }

    static byte[] bytes(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    @SuppressWarnings("deprecation")
    static String readOne(DataInputStream data, String op) throws IOException {
        String[] parts = op.split(":");
        return switch (parts[0]) {
            case "boolean" -> String.valueOf(data.readBoolean());
            case "byte" -> String.valueOf(data.readByte());
            case "ubyte" -> String.valueOf(data.readUnsignedByte());
            case "short" -> String.valueOf(data.readShort());
            case "ushort" -> String.valueOf(data.readUnsignedShort());
            case "char" -> "c:" + String.format("%04x", (int) data.readChar());
            case "int" -> String.valueOf(data.readInt());
            case "long" -> String.valueOf(data.readLong());
            case "float" -> "f:" + String.format("%08x", Float.floatToIntBits(data.readFloat()));
            case "double" -> "d:" + String.format("%016x", Double.doubleToRawLongBits(data.readDouble()));
            case "utf" -> "s:" + hex(data.readUTF());
            case "line" -> {
                String line = data.readLine();
                yield line == null ? "null" : "s:" + hex(line);
            }
            case "fully" -> {
                byte[] buffer = new byte[Integer.parseInt(parts[1])];
                data.readFully(buffer);
                yield "b:" + hex(buffer, buffer.length);
            }
            case "read" -> {
                byte[] buffer = new byte[Integer.parseInt(parts[1])];
                int got = data.read(buffer);
                yield got < 0 ? "b:-1" : "b:" + hex(buffer, got);
            }
            case "skip" -> "skip:" + data.skipBytes(Integer.parseInt(parts[1]));
            case "left" -> "left:" + data.available();
            default -> throw new IllegalArgumentException(op);
        };
    }

    static void read(Path cases) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String[] row : table(cases)) {
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
