package io.squashroot.runtime.config;

import java.util.Map;
import java.util.function.Function;

/**
 * The part of {@code eval echo VALUE} that enroot.conf values use: {@code $VAR}, {@code ${VAR}},
 * {@code ${VAR:-word}}, {@code ${VAR-word}}, {@code $(nproc)}, a leading {@code ~}, single and
 * double quotes, and whitespace collapsed to one space as {@code echo} prints it.
 *
 * <p>enroot hands the value to bash; we do not run a shell for every line (start latency), so
 * any other command substitution is refused with a message naming it rather than guessed at.
 */
final class ShellWords {
    private ShellWords() {
    }

    static String expand(String value, Function<String, String> lookup, int processors, String where) {
        StringBuilder out = new StringBuilder();
        boolean pendingSpace = false;
        boolean inWord = false;
        int i = 0;
        int n = value.length();
        while (i < n) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    pendingSpace = true;
                    inWord = false;
                }
                i++;
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
                pendingSpace = false;
            }
            if (!inWord && c == '~' && (i + 1 == n || value.charAt(i + 1) == '/')) {
                String home = lookup.apply("HOME");
                out.append(home == null ? "~" : home);
                inWord = true;
                i++;
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = value.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException(where + ": unterminated quote");
                }
                out.append(value, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                int j = i + 1;
                while (j < n && value.charAt(j) != '"') {
                    if (value.charAt(j) == '$') {
                        j = dollar(value, j, out, lookup, processors, where);
                    } else if (value.charAt(j) == '\\' && j + 1 < n) {
                        out.append(value.charAt(j + 1));
                        j += 2;
                    } else {
                        out.append(value.charAt(j++));
                    }
                }
                if (j >= n) {
                    throw new IllegalArgumentException(where + ": unterminated quote");
                }
                i = j + 1;
            } else if (c == '\\' && i + 1 < n) {
                out.append(value.charAt(i + 1));
                i += 2;
            } else if (c == '$') {
                i = dollar(value, i, out, lookup, processors, where);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Expands the {@code $...} at {@code i}; returns the index after it. */
    private static int dollar(String s, int i, StringBuilder out, Function<String, String> lookup,
                              int processors, String where) {
        int n = s.length();
        if (i + 1 >= n) {
            out.append('$');
            return i + 1;
        }
        char c = s.charAt(i + 1);
        if (c == '(') {
            int end = s.indexOf(')', i + 2);
            if (end < 0) {
                throw new IllegalArgumentException(where + ": unterminated $(");
            }
            String cmd = s.substring(i + 2, end).trim();
            if (!cmd.equals("nproc")) {
                throw new IllegalArgumentException(where + ": command substitution $(" + cmd
                        + ") is not supported (only $(nproc))");
            }
            out.append(processors);
            return end + 1;
        }
        if (c == '{') {
            int end = s.indexOf('}', i + 2);
            if (end < 0) {
                throw new IllegalArgumentException(where + ": unterminated ${");
            }
            String body = s.substring(i + 2, end);
            int colon = body.indexOf(":-");
            int dash = body.indexOf('-');
            String name;
            String fallback = null;
            boolean emptyCounts = false;
            if (colon > 0) {
                name = body.substring(0, colon);
                fallback = body.substring(colon + 2);
                emptyCounts = true;
            } else if (dash > 0) {
                name = body.substring(0, dash);
                fallback = body.substring(dash + 1);
            } else {
                name = body;
            }
            if (!isName(name)) {
                throw new IllegalArgumentException(where + ": unsupported expansion ${" + body + "}");
            }
            String v = lookup.apply(name);
            if (fallback != null && (v == null || (emptyCounts && v.isEmpty()))) {
                v = expand(fallback, lookup, processors, where);
            }
            out.append(v == null ? "" : v);
            return end + 1;
        }
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
        }
        if (j == i + 1) {
            out.append('$');
            return i + 1;
        }
        String v = lookup.apply(s.substring(i + 1, j));
        out.append(v == null ? "" : v);
        return j;
    }

    static boolean isName(String s) {
        if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) {
            return false;
        }
        for (int k = 1; k < s.length(); k++) {
            char ch = s.charAt(k);
            if (!(ch < 128 && (Character.isLetterOrDigit(ch) || ch == '_'))) {
                return false;
            }
        }
        return true;
    }

    static Function<String, String> over(Map<String, String> vars) {
        return vars::get;
    }
}
