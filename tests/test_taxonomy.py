"""hotspot_tasking.geo.taxonomy: source words -> categories, groups, harm weights."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import API_CSV, POLICE_DIR

from hotspot_tasking.geo import GeoError, Taxonomy
from hotspot_tasking.geo.taxonomy import UNMAPPED
from hotspot_tasking.intake.readers.police_uk_api import SLUG_TO_CRIME_TYPE

POLICE_UK_TYPES = [
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
    "Theft from the person", "Vehicle crime", "Violence and sexual offences",
]


def test_every_police_uk_crime_type_is_mapped(taxonomy):
    for words in POLICE_UK_TYPES:
        entry = taxonomy.lookup("police_uk", words)
        assert entry is not None, words
        assert entry["category"] != UNMAPPED
    assert set(SLUG_TO_CRIME_TYPE.values()) == set(POLICE_UK_TYPES)


def test_real_fixture_crime_types_are_all_known(taxonomy):
    words = pd.concat([
        pd.read_csv(p, dtype=str, keep_default_na=False)["Crime type"] for p in sorted(POLICE_DIR.glob("*.csv"))
    ] + [pd.read_csv(API_CSV, dtype=str, keep_default_na=False)["crime_type"]])
    mapped = taxonomy.apply("police_uk", words)
    assert not mapped["category"].eq(UNMAPPED).any()


def test_lookup_exact_ignores_case_and_spaces(taxonomy):
    entry = taxonomy.lookup("police_uk", "  burglary ")
    assert entry["category"] == "Burglary"
    assert entry["groups"] == ["serious_acquisitive", "volume_crime"]
    assert entry["harm_weight"] == 8.0
    assert entry["lead_agency"] == "Police"


def test_patterns_and_exact_key_wins(taxonomy):
    exact = taxonomy.lookup("fire", "Primary Fire / Road Vehicle / Deliberate")
    assert exact["subcategory"] == "Deliberate primary vehicle fire"
    assert exact["harm_weight"] == 4.0
    pattern = taxonomy.lookup("fire", "Primary Fire / Dwelling / Deliberate")
    assert pattern["subcategory"] == "Deliberate primary fire (excluding vehicles)"
    assert taxonomy.lookup("fire", "Secondary Fire / Outdoor / Not recorded")["category"] == "Fire, motive not recorded"
    # exact "Primary Fire / Dwelling / Accidental" before the pattern "* / * / Accidental"
    assert taxonomy.lookup("fire", "Primary Fire / Dwelling / Accidental")["subcategory"] == "Accidental dwelling fire"
    assert taxonomy.lookup("fire", "Primary Fire / Outdoor / Accidental")["subcategory"] == "Other accidental fire"


def test_unknown_words_and_vocabularies(taxonomy):
    assert taxonomy.lookup("council_asb", "Nuisance neighbours") is None
    assert taxonomy.lookup("no_such_vocabulary", "Burglary") is None


def test_apply_keeps_unknown_words_as_unmapped(taxonomy):
    words = pd.Series(["Noise nuisance", "Nuisance neighbours", "Hate incident", "Noise nuisance"], index=[7, 3, 9, 1])
    out = taxonomy.apply("council_asb", words)
    assert list(out.index) == [7, 3, 9, 1]
    assert list(out.columns) == ["category", "subcategory", "groups", "harm_weight", "lead_agency", "sensitive"]
    assert out.loc[7].tolist() == ["Anti-social behaviour", "Noise", "asb", 0.5, "Council environmental health", False]
    assert out.loc[3, "category"] == UNMAPPED
    assert out.loc[3, "subcategory"] == "Nuisance neighbours"
    assert out.loc[3, "groups"] == ""
    assert out.loc[3, "harm_weight"] == taxonomy.unmapped_harm_weight == 1.0
    assert bool(out.loc[9, "sensitive"]) is True
    assert out["harm_weight"].dtype == "float32"
    assert out["sensitive"].dtype == "bool"


def test_apply_joins_groups_with_semicolons(taxonomy):
    out = taxonomy.apply("street_drinking", pd.Series(["Street drinking - aggressive behaviour"]))
    assert out.loc[0, "groups"] == "asb;nte_violence"


def test_apply_leaves_the_input_alone(taxonomy):
    words = pd.Series([" Burglary ", "Nuisance neighbours", ""], index=[4, 5, 6], dtype=object)
    before = words.copy()
    taxonomy.apply("police_uk", words)
    pd.testing.assert_series_equal(words, before)


def test_apply_on_nothing(taxonomy):
    out = taxonomy.apply("police_uk", pd.Series([], dtype="str"))
    assert len(out) == 0
    assert "category" in out.columns


def write(tmp_path, text: str):
    path = tmp_path / "taxonomy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_toml_names_the_file(tmp_path):
    with pytest.raises(GeoError, match="taxonomy.toml: not valid TOML"):
        Taxonomy.load(write(tmp_path, "[groups\n"))


def test_entry_without_category(tmp_path):
    path = write(tmp_path, '[vocabularies.council_asb."Noise"]\nharm_weight = 1\n')
    with pytest.raises(GeoError, match=r'\[vocabularies\.council_asb\."Noise"\]: has no \'category\''):
        Taxonomy.load(path)


def test_unknown_group_is_named(tmp_path):
    path = write(tmp_path, '[groups.asb]\nlabel="ASB"\n[vocabularies.council_asb."Noise"]\n'
                           'category="ASB"\ngroups=["asb","nosie"]\n')
    with pytest.raises(GeoError, match=r"\['nosie'\]"):
        Taxonomy.load(path)


@pytest.mark.parametrize("weight", ["-1", '"heavy"'])
def test_bad_harm_weight_echoes_the_value(tmp_path, weight):
    path = write(tmp_path, f'[vocabularies.council_asb."Noise"]\ncategory="ASB"\nharm_weight={weight}\n')
    with pytest.raises(GeoError, match="harm_weight must be a number of 0 or more"):
        Taxonomy.load(path)


def test_own_unmapped_weight(tmp_path):
    tax = Taxonomy.load(write(tmp_path, "[defaults]\nunmapped_harm_weight = 0.25\n"))
    out = tax.apply("council_asb", pd.Series(["Anything"]))
    assert out.loc[0, "harm_weight"] == pytest.approx(0.25)
