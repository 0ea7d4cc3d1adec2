package io.natshift.capture;

import static io.natshift.capture.CaptureBytes.frame;
import static io.natshift.capture.CaptureFilesTest.ETHERNET;
import static io.natshift.capture.CaptureFilesTest.RAW;
import static io.natshift.capture.CaptureFilesTest.f;
import static io.natshift.capture.CaptureFilesTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natshift.capture.CaptureFilesTest.Frame;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The libpcap path (real libpcap through pcap4j): the fallback variant, and agreement with the pure-Java readers. */
class Pcap4jFileReaderTest {
    @TempDir
    Path dir;

    /** Modified pcap of old Red Hat tcpdump: the record header grows by ifindex (4), protocol (2), pkt_type (1), pad (1). */
    static byte[] kuznetzov(byte[]... frames) {
        CaptureBytes c = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, CaptureFiles.PCAP_KUZNETZOV, 65535, ETHERNET);
        int second = 1;
        for (byte[] frame : frames) {
            c.u32(second++).u32(250_000).u32(frame.length).u32(frame.length).u32(2).u16(0x0800).bytes(new byte[] {0, 0}).bytes(frame);
        }
        return c.toBytes();
    }

    List<Frame> read(CaptureReader r) throws IOException {
        try (r) {
            return readAll(r, new ArrayList<>());
        }
    }

    @Test
    void shouldFallBackToLibpcapForTheKuznetzovVariantAndSaySo() throws IOException {
        byte[] a = frame(60, 1);
        byte[] b = frame(90, 2);
        Path file = Files.write(dir.resolve("kuznetzov.pcap"), kuznetzov(a, b));
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger logger =
                (Logger) LogManager.getLogger(CaptureFiles.class);
        Appender recorder = new AbstractAppender(
                "recorder", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                warnings.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        recorder.start();
        Level level = logger.getLevel();
        logger.addAppender(recorder);
        logger.setLevel(Level.WARN); // after addAppender, which resets loggers; the default configuration logs ERROR only
        try (CaptureReader r = CaptureFiles.open(file)) {
            assertThat(r).isInstanceOf(Pcap4jFileReader.class);
            assertThat(readAll(r, new ArrayList<>())).containsExactly(f(1, 1_250_000L, ETHERNET, a), f(2, 2_250_000L, ETHERNET, b));
        } finally {
            logger.removeAppender(recorder);
            logger.setLevel(level);
        }
        assertThat(warnings).containsExactly("WARN " + file + ": modified (Kuznetzov, magic 0xa1b2cd34) pcap, reading it through libpcap");
    }

    @Test
    void shouldReadTheSameFramesAsThePureJavaReaders() throws IOException {
        byte[] a = frame(60, 1);
        byte[] b = frame(1400, 2);
        Path nanos = Files.write(dir.resolve("nanos.pcap"), CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, 0xa1b23c4d, 65535, RAW)
                .record(1_600_000_000L, 123_456_789, a).record(1_600_000_001L, 5, 1000, 1400, Arrays.copyOf(b, 1000)).toBytes());
        CaptureBytes ng = CaptureBytes.pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        Path pcapng = Files.write(dir.resolve("ng.pcapng"), ng.idb(ETHERNET, 0, ng.tsOptions(9, null))
                .epb(0, 1_700_000_000_987_654_321L, a, 60).epb(0, 1_700_000_001_000_000_999L, b, 1400).toBytes());

        for (Path file : List.of(nanos, pcapng)) {
            List<Frame> ours = read(CaptureFiles.open(file));
            assertThat(ours).hasSize(2);
            assertThat(read(new Pcap4jFileReader(file))).as(file.toString()).containsExactlyElementsOf(ours);
        }
    }

    @Test
    void shouldReturnTheCompleteFramesBeforeLibpcapReportsACut() throws IOException {
        byte[] a = frame(100, 1);
        byte[] whole = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 65535, ETHERNET).record(1, 0, a).record(2, 0, a).toBytes();
        Path file = Files.write(dir.resolve("cut.pcap"), Arrays.copyOf(whole, whole.length - 30));
        List<Frame> frames = new ArrayList<>();

        try (CaptureReader r = new Pcap4jFileReader(file)) {
            assertThatThrownBy(() -> readAll(r, frames)).isInstanceOf(CaptureFormatException.class)
                    .hasMessage(file + ": libpcap stops after frame 1: truncated dump file; tried to read 100 captured bytes, only got 70");
        }
        assertThat(frames).containsExactly(f(1, 1_000_000L, ETHERNET, a));
    }

    @Test
    void shouldNameTheFileWhenLibpcapCannotReadIt() throws IOException {
        Path file = Files.write(dir.resolve("text.pcap"), "hello, not a capture".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> new Pcap4jFileReader(file)).isInstanceOf(CaptureFormatException.class)
                .hasMessageStartingWith(file + ": libpcap cannot read it: ");
    }

    @Test
    @Timeout(60)
    void shouldGiveTheInstallCommandWhenLibpcapIsMissing() throws Exception {
        Path file = Files.write(dir.resolve("kuznetzov.pcap"), kuznetzov(frame(60, 1)));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // A fresh JVM whose pcap4j looks for a libpcap that does not exist, as on a host without the package.
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap-missing.so.0.8",
                OpenCapture.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(50, TimeUnit.SECONDS)).isTrue();

        assertThat(output).contains(MissingLibpcapException.class.getSimpleName() + ": " + file
                + ": reading this file needs libpcap, which is not installed").contains("install it with: apt-get install -y libpcap0.8");
        assertThat(p.exitValue()).isEqualTo(3);
    }

    /** Entry point of the forked JVM above. */
    public static final class OpenCapture {
        public static void main(String[] args) {
            try (CaptureReader r = CaptureFiles.open(Paths.get(args[0]))) {
                System.out.println("opened " + r.source());
            } catch (IOException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
                System.exit(3);
            }
        }
    }
}
