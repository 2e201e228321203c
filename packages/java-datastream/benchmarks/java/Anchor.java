import java.io.*;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The JDK side of bench_datastream.py: every work reads from a byte[] (ByteArrayInputStream)
 * or writes to a ByteArrayOutputStream, as Python reads from bytes and writes to BytesIO,
 * timed with System.nanoTime inside this one JVM, which serves the whole benchmark: from
 * its second pass on, a work runs JIT-compiled (warm).
 *
 * <p>Commands on stdin, one a line; one answer line each:
 * <pre>
 * sha WORK COUNT    SHA-256 (hex) of the bytes WORK reads, or writes in one pass
 * time WORK COUNT   CPU milliseconds of one pass, a space, a checksum of what it read
 * </pre>
 * WORK is readUTF-ascii ("hello, world" COUNT times), readUTF-nonascii ("héllo, wörld"),
 * writeUTF, readInt (the ints 0..COUNT-1), writeInt, records-ild (per record readInt,
 * readLong, readDouble into three arrays) or records-iu (readInt, readUTF into two arrays),
 * each over the bytes bench_datastream.py's make_data writes for it.
 */
public class Anchor {
    static final String ASCII = "hello, world";
    static final String NON_ASCII = "h\u00e9llo, w\u00f6rld";
    static final Map<String, byte[]> DATA = new HashMap<>();
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    public static void main(String[] args) throws Exception {
        BufferedReader commands = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        for (String line; (line = commands.readLine()) != null; ) {
            String[] parts = line.split(" ");
            String work = parts[1];
            int count = Integer.parseInt(parts[2]);
            if (parts[0].equals("sha")) {
                byte[] bytes = work.startsWith("write") ? written(work, count) : data(work, count);
                out.println(HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(bytes)));
            } else {
                long start = THREADS.getCurrentThreadCpuTime(), pauses = gcMillis();
                long checksum = run(work, count);
                double ms = (THREADS.getCurrentThreadCpuTime() - start) / 1e6 + gcMillis() - pauses;
                out.println(ms + " " + checksum);
            }
        }
    }

    /** The bytes a read work reads, made once per work and count. */
    static byte[] data(String work, int count) throws IOException {
        String key = work + " " + count;
        byte[] bytes = DATA.get(key);
        if (bytes == null) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(sink);
            for (int i = 0; i < count; i++) {
                switch (work) {
                    case "readUTF-ascii" -> out.writeUTF(ASCII);
                    case "readUTF-nonascii" -> out.writeUTF(NON_ASCII);
                    case "readInt" -> out.writeInt(i);
                    case "records-ild" -> {
                        out.writeInt(i);
                        out.writeLong(3L * i);
                        out.writeDouble(0.5 * i);
                    }
                    case "records-iu" -> {
                        out.writeInt(i);
                        out.writeUTF("name-" + (i % 1000));
                    }
                    default -> throw new IllegalArgumentException(work);
                }
            }
            bytes = sink.toByteArray();
            DATA.put(key, bytes);
        }
        return bytes;
    }

    static byte[] written(String work, int count) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        write(work, count, new DataOutputStream(sink));
        return sink.toByteArray();
    }

    static long write(String work, int count, DataOutputStream out) throws IOException {
        switch (work) {
            case "writeUTF" -> {
                for (int i = 0; i < count; i++) out.writeUTF(ASCII);
            }
            case "writeInt" -> {
                for (int i = 0; i < count; i++) out.writeInt(i);
            }
            default -> throw new IllegalArgumentException(work);
        }
        return out.size();
    }

    static long run(String work, int count) throws IOException {
        if (work.startsWith("write")) {
            return write(work, count, new DataOutputStream(new ByteArrayOutputStream()));
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data(work, count)));
        long checksum = 0;
        switch (work) {
            case "readUTF-ascii", "readUTF-nonascii" -> {
                for (int i = 0; i < count; i++) checksum += in.readUTF().length();
            }
            case "readInt" -> {
                for (int i = 0; i < count; i++) checksum += in.readInt();
            }
            case "records-ild" -> {
                int[] ids = new int[count];
                long[] times = new long[count];
                double[] prices = new double[count];
                for (int i = 0; i < count; i++) {
                    ids[i] = in.readInt();
                    times[i] = in.readLong();
                    prices[i] = in.readDouble();
                }
                checksum = ids[count - 1] + times[count - 1] + (long) prices[count - 1];
            }
            case "records-iu" -> {
                int[] ids = new int[count];
                String[] names = new String[count];
                for (int i = 0; i < count; i++) {
                    ids[i] = in.readInt();
                    names[i] = in.readUTF();
                }
                checksum = ids[count - 1] + names[count - 1].length();
            }
            default -> throw new IllegalArgumentException(work);
        }
        return checksum;
    }
}
