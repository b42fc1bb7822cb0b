// Runs EPUBCheck over every file named on the command line in one JVM (each start costs
// seconds), writing `<file>.json` beside each. Launched as a single-file source program:
// `java -cp epubcheck.jar CheckMany.java a.epub b.epub`.
import com.adobe.epubcheck.tool.EpubChecker;

public class CheckMany {
    public static void main(String[] args) {
        int failed = 0;
        for (String file : args) {
            int code = new EpubChecker().run(new String[] {file, "--json", file + ".json", "--quiet"});
            if (code != 0) {
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
