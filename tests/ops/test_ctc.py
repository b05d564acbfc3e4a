import numpy as np
import pytest
from ops_parity import assert_like_keras

from hocsau import ops

LOGITS = np.random.default_rng(7).normal(size=(2, 6, 4)).astype("float32")
LENGTHS = np.array([6, 5])


@pytest.mark.parametrize("merge_repeated", [True, False])
@pytest.mark.parametrize("mask_index", [0, 3])
def test_greedy_decoding_like_keras(merge_repeated, mask_index):
    paths, scores = ops.ctc_decode(LOGITS, LENGTHS, merge_repeated=merge_repeated,
                                   mask_index=mask_index)
    assert paths.shape == (1, 2, 6) and scores.shape == (2, 1)
    assert_like_keras((paths, scores), "ctc_decode", LOGITS, LENGTHS,
                      merge_repeated=merge_repeated, mask_index=mask_index)


@pytest.mark.parametrize("top_paths", [1, 3])
def test_beam_search_like_keras(top_paths):
    result = ops.ctc_decode(LOGITS, LENGTHS, strategy="beam_search", beam_width=30,
                            top_paths=top_paths)
    assert result[0].shape == (top_paths, 2, 6)
    assert_like_keras(result, "ctc_decode", LOGITS, LENGTHS, strategy="beam_search",
                      beam_width=30, top_paths=top_paths, rtol=1e-5)


def test_greedy_collapses_repeats_and_drops_blanks():
    logits = np.log(np.eye(3, dtype="float32")[[1, 1, 0, 1, 2, 2]] + 1e-3)[None]
    paths, _ = ops.ctc_decode(logits, np.array([6]))
    assert paths[0, 0].tolist() == [1, 1, 2, -1, -1, -1]
    with pytest.raises(ValueError, match="Invalid strategy"):
        ops.ctc_decode(logits, np.array([6]), strategy="viterbi")
