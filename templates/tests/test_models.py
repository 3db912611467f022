from templates.models import ConversationTemplate


def test_opening_turn_is_the_first_partner_turn():
    # given starter turns that begin with the learner
    partner = {"speaker": "partner", "text": "いらっしゃいませ。"}
    template = ConversationTemplate(starter_turns=[{"speaker": "learner", "text": "すみません。"}, partner])
    # then the opening is the partner's line
    assert template.opening_turn == partner


def test_opening_turn_is_none_without_a_partner_turn():
    # given a row with no partner turn (an editor's half-finished draft)
    template = ConversationTemplate(starter_turns=[])
    # then there is no opening
    assert template.opening_turn is None
