package io.natshift.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The project's shared folder (third-party captures with their tshark dumps): a sibling of the
 * repository root, or of a folder further up for git worktrees; {@code -Dnatshift.shared.dir}
 * overrides. Tests run with their module directory as working directory.
 */
public final class SharedFolder {
    private SharedFolder() {
    }

    public static Path dir() {
        String override = System.getProperty("natshift.shared.dir");
        if (override != null) {
            return Paths.get(override);
        }
        Path root = Paths.get("").toAbsolutePath().getParent();
        for (Path p = root; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("captures/thirdparty"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/captures/thirdparty beside " + root + " or above; set -Dnatshift.shared.dir");
    }

    public static Path thirdParty() {
        return dir().resolve("captures/thirdparty");
    }

    public static Path thirdParty(String file) {
        return thirdParty().resolve(file);
    }
}
