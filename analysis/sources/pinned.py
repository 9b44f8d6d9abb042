"""One way to get an external source: a public repository pinned to a commit.

An external source (the 新闻联播 transcripts, the OxCGRT policy indices, …) is described
by a :class:`PinnedSource`: the GitHub repository, the pinned commit, a SHA-256 registry
of the files used (committed in ``data/sources/<key>-<commit>.sha256``, one
``<sha256>  <path>`` line per file), the environment variable naming a local mirror,
and the source's own error classes.  :meth:`PinnedSource.fetch` returns local,
verified paths:

* **mirror** (argument ``mirror=`` or the environment variable): files are read in
  place from the folder holding the repository's files (or its ``<commit>/``
  subfolder) and hash-checked; nothing is downloaded;
* **download**: ``pooch`` fetches the raw files of the pinned commit into the user
  cache (``~/.cache/covid-discourse/<key>/<commit>/`` on Linux, never the repository);
  files already cached are re-hashed and reused, a corrupted one is downloaded again;
* **neither**: the source's ``…Unavailable`` exception (a :class:`SourceUnavailable`),
  whose message says how to get the files; ``make figures`` reports the notebook as
  skipped;
* a file that is missing (upstream or in the mirror) or whose SHA-256 differs from the
  registry: the source's ``…Error`` (a :class:`SourceError`) naming the file.

The parsed table of a source is cached by :mod:`analysis.sources.table_cache`, keyed by
:meth:`PinnedSource.registry_hash`, the parser's version and the date range.  A third
source is a registry file in ``data/sources/`` and a parser module using one
:class:`PinnedSource`.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.ingest.corpus import default_data_dir

__all__ = ["SourceError", "SourceUnavailable", "PinnedSource", "sha256_file"]


class SourceError(RuntimeError):
    """A file of an external source is missing, changed, or cannot be parsed."""


class SourceUnavailable(SourceError):
    """An external source cannot be obtained here (offline and no mirror).

    ``make figures`` reports a notebook that raises it as skipped, not failed."""


def sha256_file(path) -> str:
    """SHA-256 (hex) of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _listing(label: str, names: list[str], n: int = 10) -> str:
    more = f" (+{len(names) - n} more)" if len(names) > n else ""
    return f"{label}: {', '.join(names[:n])}{more}"


@dataclass(frozen=True)
class PinnedSource:
    """A public GitHub repository at a pinned commit, with a committed SHA-256 registry.

    Parameters
    ----------
    key : str
        Short name: registry file ``data/sources/<key>-<commit>.sha256`` and cache
        folder ``<user cache>/<key>/<commit>/``.
    label : str
        What the files are, for messages (``"新闻联播 transcripts"``).
    repository : str
        ``owner/name`` on GitHub.
    commit : str
        The pinned commit (40 hex digits).
    mirror_env : str
        Environment variable naming a local mirror.
    path_pattern : str
        Regular expression every registry path must match (``fullmatch``).
    path_hint : str
        The expected path form, quoted in registry errors (``news/YYYYMMDD.md``).
    command : str
        The command that downloads the files (``python -m analysis.sources.broadcast``).
    size_hint : str
        Approximate download size, for the instructions (``~69 MB``).
    error, unavailable : type
        The source's exception classes (subclasses of :class:`SourceError` and
        :class:`SourceUnavailable`).
    """

    key: str
    label: str
    repository: str
    commit: str
    mirror_env: str
    path_pattern: str
    path_hint: str
    command: str
    size_hint: str = ""
    error: type = SourceError
    unavailable: type = SourceUnavailable

    # ------------------------------------------------------------------ identity

    @property
    def base_url(self) -> str:
        """Raw-file URL prefix: a file's URL is ``base_url + path``."""
        return f"https://raw.githubusercontent.com/{self.repository}/{self.commit}/"

    @property
    def url(self) -> str:
        """The repository's web page at the pinned commit (for citing)."""
        return f"https://github.com/{self.repository}/tree/{self.commit}"

    def citation(self) -> dict:
        """``{"source", "commit", "registry_hash"}``: what a figure's manifest row records."""
        return {"source": self.url, "commit": self.commit, "registry_hash": self.registry_hash()}

    # ------------------------------------------------------------------ registry

    def registry_path(self, commit: str | None = None) -> Path:
        """The committed registry ``data/sources/<key>-<commit>.sha256``."""
        return default_data_dir() / "sources" / f"{self.key}-{commit or self.commit}.sha256"

    def read_registry(self, path=None) -> dict[str, str]:
        """``{path: sha256_hex}``, sorted by path.

        Raises
        ------
        SourceError (the source's ``error`` class)
            The registry is missing, or a line is malformed (naming file and line).
        """
        path = Path(path or self.registry_path())
        if not path.is_file():
            raise self.error(f"registry {path} not found; it is part of the repository "
                             f"(data/sources/): restore it with `git checkout -- {path.name}`")
        pattern = re.compile(self.path_pattern)
        out: dict[str, str] = {}
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]{64}", parts[0]) or not pattern.fullmatch(parts[1]):
                raise self.error(f"{path}:{i}: expected '<sha256>  {self.path_hint}', got {line!r}")
            out[parts[1]] = parts[0]
        return dict(sorted(out.items()))

    def registry_hash(self, path=None) -> str:
        """SHA-256 (hex) of the registry file: cite it with :attr:`commit`."""
        return hashlib.sha256(Path(path or self.registry_path()).read_bytes()).hexdigest()

    # ------------------------------------------------------------------ fetching

    def default_cache_dir(self) -> Path:
        """``pooch.os_cache("covid-discourse") / key / commit`` (outside the repository)."""
        import pooch

        return Path(pooch.os_cache("covid-discourse")) / self.key / self.commit

    def how_to_get(self, cache=None) -> str:
        """Instructions for getting the files (quoted by the ``…Unavailable`` error)."""
        size = f"{self.size_hint} " if self.size_hint else ""
        top = self.path_hint.split("/", 1)[0] if "/" in self.path_hint else ""
        holding = f"the folder holding {top}/ or {self.commit}/{top}/" if top else \
            f"the folder holding the repository's files or its {self.commit}/ subfolder"
        return ("Get them in one of two ways:\n"
                f"  * online: run `{self.command}` once "
                f"(downloads {size}from https://github.com/{self.repository} at commit {self.commit[:12]} into "
                f"{cache or 'the user cache'}); or\n"
                f"  * offline: point the environment variable {self.mirror_env} at a local copy of the repository "
                f"({holding}), e.g. `export {self.mirror_env}=/path/to/mirror/{self.repository}`.")

    def mirror_from_environment(self):
        """The mirror named by :attr:`mirror_env`, or None."""
        return os.environ.get(self.mirror_env) or None

    def fetch(self, names, *, registry: dict | None = None, mirror=None, cache_dir=None,
              progressbar: bool = True, base_url: str | None = None, desc: str | None = None) -> list[Path]:
        """Local, verified paths of registry files.

        Parameters
        ----------
        names : list of str
            Registry paths to get, in the order wanted.
        registry : dict, optional
            ``{path: sha256}``; default :meth:`read_registry`.
        mirror : path, optional
            Local copy of the repository; default ``$<mirror_env>`` if set.  Read in
            place and hash-checked; nothing is downloaded.
        cache_dir : path, optional
            Where downloads go; default :meth:`default_cache_dir`.
        progressbar : bool, default True
            One tqdm bar over the files to download.
        base_url : str, optional
            Raw-file URL prefix (tests point it at a local server); default :attr:`base_url`.
        desc : str, optional
            Label of the progress bar.

        Returns
        -------
        list of Path
            One per name, same order.

        Raises
        ------
        SourceUnavailable (the source's ``unavailable`` class)
            No mirror and the repository cannot be reached; the message says how to get
            the files.
        SourceError (the source's ``error`` class)
            A file is missing upstream or in the mirror, or its SHA-256 differs from the
            registry; the message names the file.
        """
        registry = self.read_registry() if registry is None else registry
        mirror = mirror if mirror is not None else self.mirror_from_environment()
        if mirror is not None:
            return self._from_mirror(names, registry, mirror)
        return self._download(names, registry, Path(cache_dir or self.default_cache_dir()), progressbar,
                              base_url or self.base_url, desc)

    def mirror_folder(self, mirror, names) -> Path:
        """The folder of a mirror that holds the registry paths (``<mirror>/<commit>/``,
        ``<mirror>/``, or the mirror's parent when the mirror *is* the top folder)."""
        root = Path(mirror).expanduser()
        top = names[0].split("/", 1)[0] if names and "/" in names[0] else None
        cands = [root / self.commit, root]
        if top is not None and root.name == top:
            cands.append(root.parent)
        for cand in cands:
            if top is None and cand.is_dir() and (cand / names[0]).exists():
                return cand
            if top is not None and (cand / top).is_dir():
                return cand
        want = f"{top}/ folder" if top else f"{names[0] if names else 'file'}"
        looked = " and ".join(str(c / top) if top else str(c) for c in cands[:2])
        raise self.error(f"mirror {root} has no {want} (looked for {looked}); set {self.mirror_env} to "
                         f"the folder holding {top + '/' if top else 'the files'}")

    def cli(self, argv, fetch, *, date_range: bool = False) -> int:
        """The source's command line (``python -m analysis.sources.<module>``): download,
        or verify, its files and say where they are.

        Parameters
        ----------
        argv : list of str or None
        fetch : callable
            ``fetch(mirror=…[, start=…, end=…]) -> list of Path``.
        date_range : bool
            Offer ``--start`` and ``--end``.

        Returns
        -------
        int
            0, or 1 after printing the source's error.
        """
        import argparse

        ap = argparse.ArgumentParser(description=f"Download and verify the {self.label} ({self.repository} at "
                                                 f"{self.commit[:12]}) into the user cache.")
        if date_range:
            ap.add_argument("--start")
            ap.add_argument("--end")
        ap.add_argument("--mirror", help=f"local mirror instead of downloading (default: ${self.mirror_env})")
        try:
            paths = fetch(**vars(ap.parse_args(argv)))
        except self.error as e:
            print(f"error: {e}")
            return 1
        print(f"{len(paths)} files verified against {self.registry_path().name} in {Path(paths[0]).parent}")
        return 0

    def _from_mirror(self, names, registry, mirror) -> list[Path]:
        folder = self.mirror_folder(mirror, list(names))
        out, missing, changed = [], [], []
        for name in names:
            p = folder / name
            if not p.is_file():
                missing.append(name)
            elif sha256_file(p) != registry[name]:
                changed.append(name)
            out.append(p)
        if missing or changed:
            parts = []
            if missing:
                parts.append(_listing("missing from the mirror", missing))
            if changed:
                parts.append(_listing("SHA-256 differs from the registry (file changed)", changed))
            top = names[0].split("/", 1)[0] if "/" in names[0] else ""
            where = folder / top if top else folder
            raise self.error(f"mirror {where}: " + "; ".join(parts)
                             + f". The registry is {self.registry_path().name} (commit {self.commit[:12]}); "
                               "re-copy the files from the repository at that commit.")
        return out

    def _download(self, names, registry, cache: Path, progressbar: bool, base_url: str, desc) -> list[Path]:
        import pooch
        import requests

        store = pooch.create(path=cache, base_url=base_url,
                             registry={n: f"sha256:{h}" for n, h in registry.items()})
        paths = [cache / n for n in names]
        todo = [n for n, p in zip(names, paths) if not (p.is_file() and sha256_file(p) == registry[n])]
        if not todo:
            return paths
        downloader = pooch.HTTPDownloader(progressbar=False, timeout=30)
        pooch.get_logger().setLevel("WARNING")  # one bar, not one log line per file
        bar = None
        if progressbar:
            from tqdm.auto import tqdm
            bar = tqdm(total=len(todo), unit="file", desc=f"{desc or self.label} → {cache}")
        try:
            for n in todo:
                try:
                    store.fetch(n, downloader=downloader)
                except requests.exceptions.HTTPError as e:
                    raise self.error(f"{n}: not available upstream at commit {self.commit[:12]} ({e}); the "
                                     f"repository may have been rewritten. Use a mirror ({self.mirror_env}).") from e
                except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as e:
                    raise self.unavailable(f"cannot reach {base_url} to download {n} and no mirror is set.\n"
                                           + self.how_to_get(cache)) from e
                except ValueError as e:
                    if "hash" in str(e).lower():
                        raise self.error(f"{n}: the downloaded file's SHA-256 differs from the registry "
                                         f"{self.registry_path().name}: the upstream file changed. {e}") from e
                    raise
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        return paths
