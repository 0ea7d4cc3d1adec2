package io.natshift.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** The --config file of streams, up and analyze: natshift.* and Kafka Streams settings as Java properties. */
final class ConfigFile {
    private ConfigFile() {
    }

    /** The file's settings (empty without a file), or null after telling {@code err} that it does not exist. */
    static Properties load(Path file, String command, PrintWriter err) throws IOException {
        Properties settings = new Properties();
        if (file == null) {
            return settings;
        }
        if (!Files.isRegularFile(file)) {
            err.println("natshift " + command + ": --config " + file + ": no such file");
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            settings.load(in);
        }
        return settings;
    }
}
