"""A call with proposals waiting for experts and a small pool of profiled experts (automatic assignment)."""

from reviews.enums import ExpertType
from reviews.models import CompositionRule
from tests.factories import ExpertProfileFactory
from tests.helpers import World

GRAPHENE = {"title": "石墨烯柔性传感器概念验证", "abstract": "研制基于石墨烯的可穿戴柔性传感器并完成中试。",
            "keywords": "石墨烯, 柔性传感器, 可穿戴"}
AI = {"title": "Deep learning for early cancer screening", "abstract": "We train neural networks on pathology images.",
      "keywords": "machine learning, deep learning", "language": "en"}
BATTERY = {"title": "固态锂电池电解质概念验证", "abstract": "开发高离子电导率的固态电解质。", "keywords": "固态电池, 电解质, 锂电池"}


def make_expert(*, name, expert_type=ExpertType.ACADEMIC, fields_zh="", keywords_zh="", fields_en="", keywords_en="",
                institution="", max_load=5):
    return ExpertProfileFactory(
        user__full_name=name, expert_type=expert_type, institution=institution or f"{name}研究所", fields_zh=fields_zh,
        keywords_zh=keywords_zh, fields_en=fields_en, keywords_en=keywords_en, max_load=max_load,
    ).user


class AssignmentWorld(World):
    """World (officer, call, rubric) without its experts, and experts with profiles: two academics
    matching the graphene and AI proposals, a battery academic, and two investors."""

    def __init__(self, *, investors_rule=True):
        super().__init__(experts=0)
        self.graphene = make_expert(name="石墨烯专家", fields_zh="材料科学", keywords_zh="石墨烯, 柔性传感器, 二维材料")
        self.ai = make_expert(name="AI Expert", fields_en="computer science", keywords_en="machine learning, deep learning, neural networks")
        self.battery = make_expert(name="电池专家", fields_zh="电化学", keywords_zh="锂电池, 固态电池, 电解质")
        self.investor_a = make_expert(name="投资人甲", expert_type=ExpertType.INVESTOR, fields_zh="风险投资",
                                      keywords_zh="新材料, 石墨烯, 早期项目")
        self.investor_b = make_expert(name="投资人乙", expert_type=ExpertType.INVESTOR, fields_en="venture capital",
                                      keywords_en="deep learning, medical devices")
        if investors_rule:
            CompositionRule.objects.create(call=self.call, expert_type=ExpertType.INVESTOR, min_count=1)

    def waiting(self, fields):
        """A proposal in expert review whose "assign experts" step is open."""
        return self.screened(**fields)
