import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

/**
 * Reference answers for src/versions/maven.ts: reads "A<TAB>B" lines on stdin and prints
 * signum(new ComparableVersion(A).compareTo(new ComparableVersion(B))), one line each.
 * Run: javac -d DIR -cp maven-artifact.jar MavenCompare.java; java -cp DIR:maven-artifact.jar MavenCompare
 */
public final class MavenCompare {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            if (tab < 0) throw new IllegalArgumentException("expected A<TAB>B, got: " + line);
            ComparableVersion a = new ComparableVersion(line.substring(0, tab));
            ComparableVersion b = new ComparableVersion(line.substring(tab + 1));
            out.println(Integer.signum(a.compareTo(b)));
        }
        out.flush();
    }
}
