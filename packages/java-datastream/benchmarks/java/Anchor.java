import java.io.*;

/**
 * The JDK side of bench_datastream.py, timed inside the JVM with System.nanoTime.
 *
 * <pre>java Anchor MODE FILE COUNT REPEATS</pre> prints, in milliseconds, the first run's time
 * (what a program doing the job once sees, JIT warm-up included) and the best run's (warm).
 * MODE is writeInt (0..COUNT-1), readInt, writeUTF or readUTF ("hello, world" COUNT times),
 * each through a Buffered stream over a File stream.
 */
public class Anchor {
    public static void main(String[] args) throws IOException {
        String mode = args[0];
        File file = new File(args[1]);
        int count = Integer.parseInt(args[2]);
        int repeats = Integer.parseInt(args[3]);
        long best = Long.MAX_VALUE;
        long first = 0;
        long checksum = 0;
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            switch (mode) {
                case "writeInt", "writeUTF" -> {
                    try (DataOutputStream out = new DataOutputStream(
                            new BufferedOutputStream(new FileOutputStream(file)))) {
                        if (mode.equals("writeInt")) {
                            for (int i = 0; i < count; i++) out.writeInt(i);
                        } else {
                            for (int i = 0; i < count; i++) out.writeUTF("hello, world");
                        }
                    }
                }
                case "readInt", "readUTF" -> {
                    try (DataInputStream in = new DataInputStream(
                            new BufferedInputStream(new FileInputStream(file)))) {
                        if (mode.equals("readInt")) {
                            for (int i = 0; i < count; i++) checksum += in.readInt();
                        } else {
                            for (int i = 0; i < count; i++) checksum += in.readUTF().length();
                        }
                    }
                }
                default -> throw new IllegalArgumentException(mode);
            }
            long elapsed = System.nanoTime() - start;
            if (r == 0) first = elapsed;
            best = Math.min(best, elapsed);
        }
        System.out.println(first / 1e6 + " " + best / 1e6 + " " + checksum);
    }
}
