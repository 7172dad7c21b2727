package io.squashroot.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NameBytesTest {

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void encodeOfDecode_isIdentity_forRandomByteStrings() {
        Random r = new Random(11);
        Map<String, byte[]> seen = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            byte[] name = new byte[r.nextInt(12)];
            for (int k = 0; k < name.length; k++) {
                // Bias towards the bytes that make and break UTF-8 sequences.
                name[k] = (byte) (r.nextInt(4) == 0 ? r.nextInt(128) : 0x80 + r.nextInt(128));
            }
            String s = NameBytes.decode(name);
            assertArrayEquals(name, NameBytes.encode(s), Arrays.toString(name));
            byte[] other = seen.putIfAbsent(s, name);
            assertTrue(other == null || Arrays.equals(other, name), "two byte strings decode alike: " + s);
        }
    }

    @Test
    void decode_equalsUtf8_forValidUtf8() {
        for (String s : new String[] {"", "plain", "\u00e9t\u00e9", "\u2603", "\ud83d\ude00 emoji", "\u00ff\u00fe",
                "\ud800\udc80", "\uef7f", "\uf000"}) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(s, NameBytes.decode(utf8));
            assertArrayEquals(utf8, NameBytes.encode(s));
            assertFalse(NameBytes.hasEscapes(s), s);
        }
    }

    @Test
    void decode_escapesEachInvalidByte_asPrivateUseCharacter() {
        assertEquals("caf\uefe9", NameBytes.decode(b('c', 'a', 'f', 0xe9)));
        assertEquals("\uefff\ueffe", NameBytes.decode(b(0xff, 0xfe)));
        // Overlong '/', an encoded surrogate and a truncated sequence are not UTF-8 either.
        assertEquals("\uefc0\uefaf", NameBytes.decode(b(0xc0, 0xaf)));
        assertEquals("\uefed\uefa0\uef80", NameBytes.decode(b(0xed, 0xa0, 0x80)));
        assertEquals("\uefe2\uef82x", NameBytes.decode(b(0xe2, 0x82, 'x')));
        assertTrue(NameBytes.hasEscapes("caf\uefe9"));
    }

    @Test
    void decode_escapesValidUtf8OfTheEscapeBlock_soNoNameCollides() {
        byte[] realPrivateUse = "a\uef80".getBytes(StandardCharsets.UTF_8); // 61 EE BE 80
        assertEquals("a\uefee\uefbe\uef80", NameBytes.decode(realPrivateUse));
        assertArrayEquals(realPrivateUse, NameBytes.encode(NameBytes.decode(realPrivateUse)));
        assertNotEquals(NameBytes.decode(realPrivateUse), NameBytes.decode(b('a', 0x80)));
    }

    @Test
    void decodedNames_areWellFormedUtf16_thatJavaEncodesWithoutLoss() {
        String s = NameBytes.decode(b(0xff, 'x', 0xe9));
        assertEquals(s, new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Test
    void decode_ofPath_isJoinOfDecodedComponents() {
        byte[] a = b(0xe2, 0x82);
        byte[] c = b(0xac, 'z');
        byte[] path = new byte[a.length + 1 + c.length];
        System.arraycopy(a, 0, path, 0, a.length);
        path[a.length] = '/';
        System.arraycopy(c, 0, path, a.length + 1, c.length);
        assertEquals(NameBytes.decode(a) + "/" + NameBytes.decode(c), NameBytes.decode(path));
        // and E2 82 AC alone is the euro sign: the '/' really did separate them
        assertNotEquals(NameBytes.decode(b(0xe2, 0x82, 0xac)), NameBytes.decode(a) + NameBytes.decode(c));
    }

    @Test
    void display_showsInvalidBytesAsHex() {
        assertEquals("latin1-\\xe9", NameBytes.display(b('l', 'a', 't', 'i', 'n', '1', '-', 0xe9)));
        assertEquals("\u00e9t\u00e9", NameBytes.display("\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8)));
    }
}
