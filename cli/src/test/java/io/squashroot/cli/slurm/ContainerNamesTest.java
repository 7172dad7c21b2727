package io.squashroot.cli.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ContainerNamesTest {

    @Test
    void namesLikePyxis_inBothScopes() {
        assertEquals("pyxis_build", ContainerNames.named("build", "42", false));
        assertEquals("pyxis_42_build", ContainerNames.named("build", "42", true));
        assertEquals("pyxis_42.3", ContainerNames.temporary("42", "3", false));
        assertEquals("pyxis_42_42.3", ContainerNames.temporary("42", "3", true));
    }

    @Test
    void recognisesTemporaryNames_only() {
        assertEquals("42", ContainerNames.jobOfTemporary("pyxis_42.3"));
        assertEquals("42", ContainerNames.jobOfTemporary("pyxis_42_42.batch"));
        assertNull(ContainerNames.jobOfTemporary("pyxis_42_build"));
        assertNull(ContainerNames.jobOfTemporary("pyxis_42_43.0"));
        assertNull(ContainerNames.jobOfTemporary("pyxis_build"));
    }

    @Test
    void tellsWhichJobAJobScopedNameBelongsTo() {
        assertTrue(ContainerNames.belongsToJob("pyxis_42_build", "42"));
        assertTrue(ContainerNames.belongsToJob("pyxis_42.0", "42"));
        assertFalse(ContainerNames.belongsToJob("pyxis_421_build", "42"));
        assertFalse(ContainerNames.belongsToJob("pyxis_build", "42"));
        assertEquals("42", ContainerNames.jobOf("pyxis_42_build"));
        assertNull(ContainerNames.jobOf("pyxis_build"));
        assertNull(ContainerNames.jobOf("pyxis_42"));
    }
}
