"""Expertise affinity: TF-IDF cosine over jieba-segmented Chinese and lower-cased English."""

import numpy as np

from reviews.services.affinity import affinity_matrix, tokenize

EXPERTS = [
    "材料科学, 纳米材料 石墨烯, 柔性传感器, 二维材料, 可穿戴电子",  # graphene
    "生物医药, 药物研发 小分子药物, 抗体, 临床试验",  # pharma
    "Computer science, artificial intelligence machine learning, deep learning, neural networks",  # English AI
    "金融, 风险投资 股权投资, 早期项目, 估值",  # investor
]


def test_tokens_are_jieba_words_and_lowercase_latin_without_punctuation_or_function_words():
    assert tokenize("基于石墨烯的柔性传感器研究与应用, Flexible sensors for 5G!") == [
        "基于", "石墨", "烯", "柔性", "传感器", "研究", "应用", "flexible", "sensors", "5g",
    ]


def test_a_chinese_graphene_sensor_proposal_ranks_the_graphene_expert_first():
    proposal = "石墨烯柔性传感器的概念验证 研制基于石墨烯的可穿戴柔性传感器并完成中试。 石墨烯, 柔性传感器, 可穿戴"
    scores = affinity_matrix(proposal_texts=[proposal], expert_texts=EXPERTS)[0]
    assert int(np.argmax(scores)) == 0
    assert scores[0] > 0.3
    assert scores[1] == 0.0 and scores[2] == 0.0


def test_an_english_proposal_ranks_the_english_speaking_expert_first():
    proposal = "Deep learning for early cancer screening. We train neural networks on images. machine learning, deep learning"
    scores = affinity_matrix(proposal_texts=[proposal], expert_texts=EXPERTS)[0]
    assert int(np.argmax(scores)) == 2
    assert scores[2] > 0.3
    assert scores[0] == 0.0


def test_the_matrix_is_proposals_by_experts_between_zero_and_one():
    proposals = ["石墨烯 传感器", "machine learning", "抗体 药物"]
    matrix = affinity_matrix(proposal_texts=proposals, expert_texts=EXPERTS)
    assert matrix.shape == (3, 4)
    assert matrix.min() >= 0.0 and matrix.max() <= 1.0
    assert [int(i) for i in matrix.argmax(axis=1)] == [0, 2, 1]


def test_empty_texts_give_zero_affinity_instead_of_an_error():
    assert affinity_matrix(proposal_texts=["", "的"], expert_texts=[""]).tolist() == [[0.0], [0.0]]
    assert affinity_matrix(proposal_texts=[], expert_texts=["石墨烯"]).shape == (0, 1)
