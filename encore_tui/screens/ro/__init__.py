"""The Returning Officer's screens: the review queue (`home`), a round's review with its checks
and differences (`review`), the blind spot check and double entry (`blind`), VVPAT verification
(`vvpat`), result and declaration (`result`) and their small forms (`forms`)."""
